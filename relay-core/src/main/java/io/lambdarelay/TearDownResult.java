package io.lambdarelay;

/**
 * What {@link Relay#tearDown(RelayPacket)} deleted and kept.
 *
 * @param mappingDeleted whether this call deleted the event-source mapping ({@code false}: it was
 *     already gone)
 * @param queueDeleted whether this call deleted the relay queue
 * @param dlqDeleted whether this call deleted the dead-letter queue
 * @param dlqKept whether the dead-letter queue exists and was kept: it holds failed packets, or the
 *     caller said it does ({@link Relay#tearDown(RelayPacket, boolean)})
 * @param dlqMessages messages the dead-letter queue held by SQS's approximate count
 * @param dlqUrl the dead-letter queue's URL, from the relay queue's redrive policy, or {@code null}
 *     for a relay without one (the Node package's)
 */
public record TearDownResult(boolean mappingDeleted, boolean queueDeleted, boolean dlqDeleted, boolean dlqKept,
        long dlqMessages, String dlqUrl) {
}
