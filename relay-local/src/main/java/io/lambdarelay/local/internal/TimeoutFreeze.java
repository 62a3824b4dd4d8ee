package io.lambdarelay.local.internal;

import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Does on the clients what Lambda does to a timed-out invocation: none of its code runs after the
 * timeout. Java cannot stop a thread, so an AWS call made after the timeout by the invocation's
 * thread, or by a thread it started, never reaches the service: it is counted, and the thread
 * waits inside the call until {@code LocalAws} closes (then the call fails). Code that makes no
 * AWS call cannot be stopped this way, but it cannot change what a relay does either.
 * Thread-safe.
 */
public final class TimeoutFreeze implements ExecutionInterceptor {

    private final ThreadLocal<ActiveInvocation> current;
    private final StatsRecorder stats;
    private final CountDownLatch closed = new CountDownLatch(1);

    public TimeoutFreeze(ThreadLocal<ActiveInvocation> current, StatsRecorder stats) {
        this.current = current;
        this.stats = stats;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
        ActiveInvocation invocation = current.get();
        if (invocation == null || !invocation.timedOut().get()) {
            return;
        }
        stats.callAfterTimeout();
        boolean interrupted = false;
        while (closed.getCount() > 0) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                interrupted = true; // the invocation stays stopped, interrupt or not
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throw SdkClientException.create(context.request().getClass().getSimpleName() + " from invocation of "
                + invocation.function().name() + " after its timeout: on Lambda no code runs then");
    }

    /** Releases the threads held, when {@code LocalAws} closes. */
    public void release() {
        closed.countDown();
    }
}
