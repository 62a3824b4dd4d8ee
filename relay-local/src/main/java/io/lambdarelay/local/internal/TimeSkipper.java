package io.lambdarelay.local.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Moves a {@link VirtualClock} over the time in which nothing can happen. When no work runs (no
 * batch between receive and delete, no Invoke call), no poller is receiving, and no message is
 * visible, the next thing that can happen is a delayed, held or in-flight message becoming
 * visible: the clock jumps to that moment. The quiet state must hold still across two looks a few
 * milliseconds apart, with no change counted in between, so a poller that has just been woken is
 * never overtaken. Held messages are released when due whether or not anything else runs.
 *
 * <p>An invocation never sees the clock jump, as nothing runs when it does: its remaining time
 * and timeout pass in real time. Runs on one daemon thread until {@link #close()}.
 */
public final class TimeSkipper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TimeSkipper.class);
    /** How often the state is looked at. */
    private static final long LOOK_MILLIS = 2;
    /** How long the quiet state must hold still before the clock jumps. */
    private static final long SETTLE_MILLIS = 5;

    private final VirtualClock clock;
    private final QueueActivity activity;
    private final StatsRecorder stats;
    private final HeldSends held;
    private final SqsClient releaseTo;
    private final AtomicLong jumps = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Starts skipping.
     *
     * @param clock the clock to move
     * @param activity the queues' visibility times and pollers
     * @param stats the work running
     * @param held the messages held for their delay
     * @param releaseTo the client held messages are sent with
     * @param automatic whether to skip by itself; without it (manual delivery) time moves only
     *     when {@link #skipTo} or the clock's owner moves it
     */
    public TimeSkipper(VirtualClock clock, QueueActivity activity, StatsRecorder stats, HeldSends held,
            SqsClient releaseTo, boolean automatic) {
        this.clock = clock;
        this.activity = activity;
        this.stats = stats;
        this.held = held;
        this.releaseTo = releaseTo;
        if (automatic) {
            this.thread = new Thread(this::run, "relay-local-time-skipper");
            thread.setDaemon(true);
            thread.start();
        } else {
            this.thread = null;
        }
    }

    /** {@return how often the clock jumped} */
    public long jumps() {
        return jumps.get();
    }

    private void run() {
        try {
            while (!closed) {
                if (held.releaseDue(releaseTo) > 0) {
                    continue;
                }
                long before = changes();
                if (!quiet()) {
                    Thread.sleep(LOOK_MILLIS);
                    continue;
                }
                Thread.sleep(SETTLE_MILLIS);
                if (!quiet() || changes() != before) {
                    continue;
                }
                OptionalLong next = next();
                if (next.isEmpty()) {
                    Thread.sleep(LOOK_MILLIS);
                    continue;
                }
                long moved = clock.advanceTo(next.getAsLong());
                if (moved > 0) {
                    jumps.incrementAndGet();
                    LOG.debug("nothing to do until {}: virtual time skipped {}", Instant.ofEpochMilli(next.getAsLong()),
                            Duration.ofMillis(moved));
                }
                held.releaseDue(releaseTo);
                activity.wakeAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("virtual time stopped skipping: {}", e.toString(), e);
        }
    }

    private long changes() {
        return activity.changes() + stats.workChanges() + held.changes();
    }

    private boolean quiet() {
        return stats.running() == 0 && activity.busyPollers() == 0 && !activity.anyVisible();
    }

    private OptionalLong next() {
        OptionalLong a = activity.nextDueMillis();
        OptionalLong b = held.nextDueMillis();
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }

    /**
     * Moves the clock to when the queue's next delayed, held or in-flight message becomes visible,
     * if that is later than now, and releases what is then due.
     *
     * @param queueName the queue
     * @return whether a message of the queue is due now
     */
    public boolean skipTo(String queueName) {
        held.releaseDue(releaseTo);
        OptionalLong a = activity.nextDueMillis(queueName);
        OptionalLong b = held.nextDueMillis(queueName);
        if (a.isEmpty() && b.isEmpty()) {
            return false;
        }
        long next = Math.min(a.orElse(Long.MAX_VALUE), b.orElse(Long.MAX_VALUE));
        if (clock.advanceTo(next) > 0) {
            jumps.incrementAndGet();
            LOG.debug("queue {} has nothing visible until {}: virtual time moved there", queueName,
                    Instant.ofEpochMilli(next));
        }
        wake();
        return true;
    }

    /** Releases the held messages now due and wakes the pollers, after the clock was moved by hand. */
    public void wake() {
        held.releaseDue(releaseTo);
        activity.wakeAll();
    }

    /** Stops skipping; the clock stays where it is. */
    @Override
    public void close() {
        closed = true;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
