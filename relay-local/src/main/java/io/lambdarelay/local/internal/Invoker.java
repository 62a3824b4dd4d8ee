package io.lambdarelay.local.internal;

import io.lambdarelay.local.LocalContext;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a function's handler on a worker thread and enforces its timeout in real time: an
 * invocation that overruns is interrupted and reported as timed out. While the handler runs, the
 * worker thread is marked with the invocation so the SQS client can carry its lineage. Thread-safe.
 */
public final class Invoker {

    private static final Logger LOG = LoggerFactory.getLogger(Invoker.class);

    private final ExecutorService workers;
    private final ThreadLocal<ActiveInvocation> current;
    private final Clock clock;

    public Invoker(ExecutorService workers, ThreadLocal<ActiveInvocation> current, Clock clock) {
        this.workers = workers;
        this.current = current;
        this.clock = clock;
    }

    /**
     * Runs one invocation and waits for it, at most for the function's timeout.
     *
     * @param mappingUuid the event-source mapping that delivers the payload, or null for Invoke
     * @throws InterruptedException when the calling thread is interrupted while it waits; the
     *     handler is interrupted too
     */
    public Result invoke(RegisteredFunction fn, String mappingUuid, byte[] payload, Lineage lineage,
            String traceHeader) throws InterruptedException {
        String requestId = UUID.randomUUID().toString();
        InvocationLog log = new InvocationLog(requestId);
        LocalContext context = LocalContext.builder()
                .functionName(fn.name())
                .functionArn(fn.arn())
                .awsRequestId(requestId)
                .timeout(fn.timeout())
                .memoryLimitInMb(fn.memorySizeMb())
                .clock(clock)
                .logger(log.tee(new Slf4jLambdaLogger(fn.name(), requestId)))
                .build();
        ActiveInvocation invocation = new ActiveInvocation(fn, mappingUuid, lineage, traceHeader);
        long started = System.nanoTime();
        Future<byte[]> future = workers.submit(() -> {
            current.set(invocation);
            try {
                return fn.handler().handle(payload, context);
            } finally {
                current.remove();
            }
        });
        try {
            byte[] output = future.get(fn.timeout().toNanos(), TimeUnit.NANOSECONDS);
            return result(fn, requestId, Status.OK, output, null, started, log);
        } catch (ExecutionException e) {
            LOG.debug("function {} request {} failed: {}", fn.name(), requestId, e.getCause().toString());
            return result(fn, requestId, Status.ERROR, null, e.getCause(), started, log);
        } catch (TimeoutException e) {
            // Lambda runs none of the invocation's code after this; here its threads are
            // interrupted, and their AWS calls are stopped (see TimeoutFreeze).
            invocation.timedOut().set(true);
            future.cancel(true);
            LOG.debug("function {} request {} timed out after {}", fn.name(), requestId, fn.timeout());
            return result(fn, requestId, Status.TIMEOUT, null, null, started, log);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private static Result result(RegisteredFunction fn, String requestId, Status status, byte[] output,
            Throwable error, long startedNanos, InvocationLog log) {
        Duration duration = elapsed(startedNanos);
        log.finish(status, error, duration, fn.timeout(), fn.memorySizeMb());
        return new Result(requestId, status, output, error, duration, log);
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** How an invocation ended. */
    public enum Status {
        OK, ERROR, TIMEOUT
    }

    /** The outcome of one invocation. Immutable. */
    public static final class Result {
        private final String requestId;
        private final Status status;
        private final byte[] output;
        private final Throwable error;
        private final Duration duration;
        private final InvocationLog log;

        Result(String requestId, Status status, byte[] output, Throwable error, Duration duration,
                InvocationLog log) {
            this.requestId = requestId;
            this.status = status;
            this.output = output;
            this.error = error;
            this.duration = duration;
            this.log = log;
        }

        public String requestId() {
            return requestId;
        }

        public Status status() {
            return status;
        }

        /** The handler's response; null unless the status is {@link Status#OK}. */
        public byte[] output() {
            return output;
        }

        /** What the handler threw; null unless the status is {@link Status#ERROR}. */
        public Throwable error() {
            return error;
        }

        public Duration duration() {
            return duration;
        }

        /** The invocation's log: Lambda's START, END and REPORT lines and what the function logged. */
        public InvocationLog log() {
            return log;
        }
    }
}
