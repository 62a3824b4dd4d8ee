package io.lambdarelay;

import java.util.Objects;

/**
 * What {@link Relay#tearDown(RelayPacket)} did. Immutable and thread-safe.
 */
public final class TearDownResult {
    private final boolean mappingDeleted;
    private final boolean queueDeleted;
    private final boolean dlqDeleted;
    private final long dlqMessages;
    private final String dlqUrl;

    TearDownResult(boolean mappingDeleted, boolean queueDeleted, boolean dlqDeleted, long dlqMessages, String dlqUrl) {
        this.mappingDeleted = mappingDeleted;
        this.queueDeleted = queueDeleted;
        this.dlqDeleted = dlqDeleted;
        this.dlqMessages = dlqMessages;
        this.dlqUrl = dlqUrl;
    }

    /**
     * Tells whether this call deleted the event-source mapping.
     *
     * @return {@code false} if it was already gone
     */
    public boolean mappingDeleted() {
        return mappingDeleted;
    }

    /**
     * Tells whether this call deleted the relay queue.
     *
     * @return {@code false} if it was already gone
     */
    public boolean queueDeleted() {
        return queueDeleted;
    }

    /**
     * Tells whether this call deleted the (empty) dead-letter queue.
     *
     * @return {@code false} if it was kept, already gone, or the packet names none
     */
    public boolean dlqDeleted() {
        return dlqDeleted;
    }

    /**
     * Tells whether the dead-letter queue was kept because it holds messages.
     *
     * @return {@code true} if failed packets wait there for inspection or redrive
     */
    public boolean dlqKept() {
        return dlqMessages > 0;
    }

    /**
     * Returns how many messages the dead-letter queue held (visible, in flight and delayed).
     *
     * @return the count, 0 if it was empty or gone
     */
    public long dlqMessages() {
        return dlqMessages;
    }

    /**
     * Returns the dead-letter queue's URL.
     *
     * @return the URL, or {@code null} for a packet without one (started by the Node package)
     */
    public String dlqUrl() {
        return dlqUrl;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TearDownResult)) {
            return false;
        }
        TearDownResult t = (TearDownResult) o;
        return mappingDeleted == t.mappingDeleted && queueDeleted == t.queueDeleted && dlqDeleted == t.dlqDeleted
                && dlqMessages == t.dlqMessages && Objects.equals(dlqUrl, t.dlqUrl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mappingDeleted, queueDeleted, dlqDeleted, dlqMessages, dlqUrl);
    }

    @Override
    public String toString() {
        return "TearDownResult{mappingDeleted=" + mappingDeleted + ", queueDeleted=" + queueDeleted
                + ", dlqDeleted=" + dlqDeleted + ", dlqMessages=" + dlqMessages + "}";
    }
}
