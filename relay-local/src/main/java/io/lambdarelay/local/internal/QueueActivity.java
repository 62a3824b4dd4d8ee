package io.lambdarelay.local.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * queue this class counts the messages that became visible, and keeps the times at which received
 * or delayed messages become visible again, so a poller sleeps exactly until there may be
 * something to receive.
 *
 * <p>Each message that becomes visible wakes one poller, not all of them, as a long poll on SQS
 * hands a message to one waiting receiver: a poller returns from {@link #await} by claiming one
 * such signal. Signals sent before a poll that found the queue empty are spent. Thread-safe.
 */
public final class QueueActivity {

    private final Map<String, QueueState> queues = new ConcurrentHashMap<>();
    private final LongSupplier nowMillis;
    /** Counts every change a {@link TimeSkipper} must see: signals, claims, due times, pollers. */
    private final AtomicLong changes = new AtomicLong();
    /** Poller threads running, and how many of them wait in {@link #await}. */
    private final AtomicInteger pollers = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * Creates the tracker.
     *
     * @param nowMillis the clock the embedded SQS dates message visibility with (epoch millis)
     */
    public QueueActivity(LongSupplier nowMillis) {
        this.nowMillis = nowMillis;
    }

    private QueueState state(String queue) {
        return queues.computeIfAbsent(queue, q -> new QueueState(changes));
    }

    /**
     * A poller thread of the queue started; it counts as busy except while it waits in
     * {@link #await}.
     */
    void pollerStarted(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.pollers++;
        }
        pollers.incrementAndGet();
        changes.incrementAndGet();
    }

    /** A poller thread of the queue ended. */
    void pollerStopped(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.pollers--;
        }
        pollers.decrementAndGet();
        changes.incrementAndGet();
    }

    /** {@return how many times the state has changed; equal before and after a check means it held still} */
    long changes() {
        return changes.get();
    }

    /** {@return pollers that are receiving or processing, not waiting} */
    int busyPollers() {
        return pollers.get() - waiting.get();
    }

    /** A queue was created (or created again under the same name). */
    void queueCreated(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.deleted = false;
            changes.incrementAndGet();
            s.notifyAll();
        }
    }

    /** A queue was deleted: its waiting pollers wake up and find it gone. */
    void queueDeleted(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            s.deleted = true;
            s.due.clear();
            s.dueById.clear();
            s.claimed = s.signals;
            changes.incrementAndGet();
            s.notifyAll();
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
                s.signal(1);
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
     * {@return the queue's count of signals so far; read it before a poll, and pass it to
     * {@link #await} if the poll found nothing}
     *
     * @param queue the queue name
     */
    public long signals(String queue) {
        QueueState s = state(queue);
        synchronized (s) {
            return s.signals;
        }
    }

    /**
     * Waits until a message may be visible in the queue, and claims its signal: one was added or
     * made visible after {@code seenSignals}, or a received or delayed message reached its
     * visibility time. Returns without a claim when {@code stop} says so or {@code maxWaitMillis}
     * pass.
     *
     * @param queue the queue name
     * @param seenSignals the {@link #signals} read before the poll that found nothing
     * @param maxWaitMillis the longest wait
     * @param stop checked whenever the waiter wakes; {@code true} ends the wait (see {@link #wake})
     * @return {@code true} if a signal was claimed: poll now
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean await(String queue, long seenSignals, long maxWaitMillis, BooleanSupplier stop)
            throws InterruptedException {
        QueueState s = state(queue);
        long deadline = nowMillis.getAsLong() + maxWaitMillis;
        synchronized (s) {
            // The empty poll saw every message signalled before it: those signals are spent.
            s.claimed = Math.max(s.claimed, Math.min(seenSignals, s.signals));
            while (true) {
                long now = nowMillis.getAsLong();
                s.releaseDue(now);
                if (s.claimed < s.signals) {
                    s.claimed++;
                    changes.incrementAndGet();
                    return true;
                }
                if (stop.getAsBoolean()) {
                    return false;
                }
                Long nextDue = s.due.isEmpty() ? null : s.due.firstKey();
                long until = nextDue == null ? deadline : Math.min(deadline, nextDue);
                if (until <= now) {
                    return false;
                }
                waiting.incrementAndGet();
                changes.incrementAndGet();
                try {
                    s.wait(until - now);
                } finally {
                    // Still holding the monitor: busy again before a claim can be seen.
                    waiting.decrementAndGet();
                    changes.incrementAndGet();
                }
            }
        }
    }

    /**
     * {@return whether a polled queue has a message visible that no poller has claimed yet}
     * Queues nobody polls (a dead-letter queue, say) are left out: what is visible there waits
     * for no one.
     */
    public boolean anyVisible() {
        long now = nowMillis.getAsLong();
        for (QueueState s : queues.values()) {
            synchronized (s) {
                boolean due = !s.due.isEmpty() && s.due.firstKey() <= now;
                if (!s.deleted && s.pollers > 0 && (s.claimed < s.signals || due)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@return when the next delayed or in-flight message of any queue becomes visible, if one will} */
    public OptionalLong nextDueMillis() {
        long next = Long.MAX_VALUE;
        for (QueueState s : queues.values()) {
            synchronized (s) {
                if (!s.deleted && !s.due.isEmpty()) {
                    next = Math.min(next, s.due.firstKey());
                }
            }
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /**
     * {@return when the queue's next delayed or in-flight message becomes visible, if one will}
     *
     * @param queue the queue name
     */
    public OptionalLong nextDueMillis(String queue) {
        QueueState s = queues.get(queue);
        if (s == null) {
            return OptionalLong.empty();
        }
        synchronized (s) {
            return s.deleted || s.due.isEmpty() ? OptionalLong.empty() : OptionalLong.of(s.due.firstKey());
        }
    }

    /** Wakes every waiting poller, e.g. after the clock skipped ahead. */
    public void wakeAll() {
        for (QueueState s : queues.values()) {
            synchronized (s) {
                s.notifyAll();
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

    /** One queue's state; guarded by itself. */
    private static final class QueueState {
        private final AtomicLong changes;
        /** Messages that became visible, ever; a poller claims one to poll. */
        long signals;
        long claimed;
        /** Poller threads reading this queue. */
        int pollers;
        boolean deleted;
        final TreeMap<Long, Set<String>> due = new TreeMap<>();
        final Map<String, Long> dueById = new HashMap<>();

        QueueState(AtomicLong changes) {
            this.changes = changes;
        }

        void signal(int messages) {
            signals += messages;
            changes.incrementAndGet();
            notifyAll();
        }

        void forget(String messageId) {
            Long at = dueById.remove(messageId);
            changes.incrementAndGet();
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
            int released = 0;
            while (!due.isEmpty() && due.firstKey() <= now) {
                Set<String> ids = due.pollFirstEntry().getValue();
                ids.forEach(dueById::remove);
                released += ids.size();
            }
            if (released > 0) {
                signal(released);
            }
        }
    }
}
