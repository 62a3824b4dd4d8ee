package io.lambdarelay;

/**
 * What {@link Relay#tearDown(RelayPacket)} deleted and kept.
 *
 * @param mappingDeleted whether this call deleted the event-source mapping ({@code false}: it was
 *     already gone)
 * @param queueDeleted whether this call deleted the relay queue
 * @param dlqDeleted whether this call deleted the dead-letter queue
 * @param dlqMessages messages the dead-letter queue held; a queue holding any is kept
 * @param dlqUrl the dead-letter queue's URL, or {@code null} for a relay without one (the Node
 *     package's)
 */
public record TearDownResult(boolean mappingDeleted, boolean queueDeleted, boolean dlqDeleted, long dlqMessages,
        String dlqUrl) {

    /** {@return whether the dead-letter queue was kept because it holds failed packets} */
    public boolean dlqKept() {
        return dlqMessages > 0;
    }
}
