package io.lambdarelay.local.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What the embedded SQS reports about its queues (messages added, received, deleted; queues
 * created and deleted), so that event-source mapping pollers can wait in this JVM and send a short
 * poll only when a message may be there.
 *
 * <p>Pollers used to long-poll, but ElasticMQ never answers a long poll whose queue is deleted
 * while it waits: the request stays open on the server until its 21 s ask timeout, logs an ERROR,
 * and holds up the server's shutdown just as long. A short poll cannot hang that way. For each
 * queue this class keeps a version that moves when a message becomes visible now, and the
 * times at which received or delayed messages become visible again, so a poller sleeps exactly
 * until there may be something to receive. Thread-safe.
 */
public final class QueueActivity {

    private final Map<String, QueueState> queues = new ConcurrentHashMap<>();
    private final LongSupplier nowMillis;

    /**
     * Creates the tracker.
     *
     * @param nowMillis the clock the embedded SQS dates message visibility with (epoch millis)
     */
    public QueueActivity(LongSupplier nowMillis) {
        this.nowMillis = nowMillis;
    }

    private QueueState state(String queue) {
        return queues.computeIfAbsent(queue, q -> new QueueState());
    }

    /** A queue was created (or created again under the same name). */
    void queueCreated(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.deleted = false;
            s.changed();
        }
    }

    /** A queue was deleted: its waiting pollers wake up and find it gone. */
    void queueDeleted(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.deleted = true;
            s.due.clear();
            s.dueById.clear();
            s.changed();
        }
    }

    /**
     * A message was added, received or had its visibility changed: it can be received at
     * {@code visibleAtMillis} (now or later).
     */
    void messageVisibleAt(String queue, String messageId, long visibleAtMillis) {
        QueueState s = state(queue);
        synchronized (s) {
            s.forget(messageId);
            if (visibleAtMillis <= nowMillis.getAsLong()) {
                s.changed();
            } else {
                s.dueById.put(messageId, visibleAtMillis);
                s.due.computeIfAbsent(visibleAtMillis, t -> new HashSet<>()).add(messageId);
                // A waiting poller may have to wake earlier than it planned.
                s.notifyAll();
            }
        }
    }

    /** A message was deleted (or moved to a dead-letter queue). */
    void messageRemoved(String queue, String messageId) {
        QueueState s = state(queue);
        synchronized (s) {
            s.forget(messageId);
        }
    }

    /**
     * {@return whether the embedded SQS reported the queue deleted (and not created again)}
     *
     * @param queue the queue name
     */
    public boolean isDeleted(String queue) {
        QueueState s = queues.get(queue);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.deleted;
        }
    }

    /**
     * {@return the queue's version; pass it to {@link #await} after a poll that found nothing}
     *
     * @param queue the queue name
     */
    public long version(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            return s.version;
        }
    }

    /**
     * Waits until a message may be visible in the queue: one was added or made visible since
     * {@code seenVersion}, a received or delayed message reaches its visibility time, the queue
     * is deleted or created again, or {@code maxWaitMillis} pass. A deleted queue's waiters
     * sleep until it is created again or the time passes.
     *
     * @param queue the queue name
     * @param seenVersion the version read before the poll that found nothing
     * @param maxWaitMillis the longest wait
     * @param stop checked whenever the waiter wakes; {@code true} ends the wait (see {@link #wake})
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void await(String queue, long seenVersion, long maxWaitMillis, BooleanSupplier stop)
            throws InterruptedException {
        QueueState s = state(queue);
        long deadline = nowMillis.getAsLong() + maxWaitMillis;
        synchronized (s) {
            while (true) {
                long now = nowMillis.getAsLong();
                s.releaseDue(now);
                if (s.version != seenVersion || stop.getAsBoolean()) {
                    return;
                }
                Long nextDue = s.due.isEmpty() ? null : s.due.firstKey();
                long until = nextDue == null ? deadline : Math.min(deadline, nextDue);
                if (until <= now) {
                    return;
                }
                s.wait(until - now);
            }
        }
    }

    /**
     * Wakes the queue's waiting pollers so they check their stop condition, e.g. when their
     * mapping is deleted.
     *
     * @param queue the queue name
     */
    public void wake(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.notifyAll();
        }
    }

    /** Wakes every waiting poller, e.g. when the embedded SQS stops. */
    public void wakeAll() {
        for (QueueState s : queues.values()) {
            synchronized (s) {
                s.notifyAll();
            }
        }
    }

    /** One queue's state; guarded by itself. */
    private static final class QueueState {
        long version;
        boolean deleted;
        final TreeMap<Long, Set<String>> due = new TreeMap<>();
        final Map<String, Long> dueById = new HashMap<>();

        void changed() {
            version++;
            notifyAll();
        }

        void forget(String messageId) {
            Long at = dueById.remove(messageId);
            if (at != null) {
                Set<String> ids = due.get(at);
                ids.remove(messageId);
                if (ids.isEmpty()) {
                    due.remove(at);
                }
            }
        }

        /** Messages whose visibility time has come are visible now: a change for every poller. */
        void releaseDue(long now) {
            boolean released = false;
            while (!due.isEmpty() && due.firstKey() <= now) {
                due.pollFirstEntry().getValue().forEach(dueById::remove);
                released = true;
            }
            if (released) {
                changed();
            }
        }
    }
}
