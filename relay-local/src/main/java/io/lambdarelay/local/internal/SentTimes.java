package io.lambdarelay.local.internal;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each message was added to its queue, by a virtual clock. ElasticMQ dates a new message by
 * the system clock whatever clock its queues run on, so under virtual time its own
 * {@code SentTimestamp} would lag by all the time skipped before the send, and a worker measuring
 * how long a message waited (the time from {@code SentTimestamp} to now, by the virtual clock) would
 * count that skipped time too. The pollers' records take the time kept here instead. A delayed send
 * that {@link HeldSends} holds is added at its release, so it counts from then. Thread-safe.
 */
final class SentTimes {
    private final Clock clock;
    private final Map<String, Map<String, Long>> byQueue = new ConcurrentHashMap<>();

    /** @param clock the virtual clock, or {@code null} on the system clock, where ElasticMQ's own time is right */
    SentTimes(Clock clock) {
        this.clock = clock;
    }

    void added(String queueName, String messageId) {
        if (clock != null) {
            byQueue.computeIfAbsent(queueName, q -> new ConcurrentHashMap<>()).put(messageId, clock.millis());
        }
    }

    void removed(String queueName, String messageId) {
        Map<String, Long> sent = byQueue.get(queueName);
        if (sent != null) {
            sent.remove(messageId);
        }
    }

    void queueDeleted(String queueName) {
        byQueue.remove(queueName);
    }

    /** The message's send time in epoch millis: as kept here, else ElasticMQ's {@code created}. */
    long sentAt(String queueName, String messageId, long created) {
        Map<String, Long> sent = byQueue.get(queueName);
        Long at = sent == null ? null : sent.get(messageId);
        return at == null ? created : at;
    }
}
