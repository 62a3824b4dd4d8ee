package io.lambdarelay.local;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of what a {@link LocalAws} has done since it started, for tests and demos.
 * Queue maps are keyed by queue name. Messages sent and received are counted on the clients
 * {@code LocalAws} hands out and by its pollers; clients you build yourself are not counted.
 * Immutable and thread-safe.
 */
public final class LocalStats {

    private final long invocations;
    private final long timeouts;
    private final long functionErrors;
    private final long batchFailures;
    private final long itemFailures;
    private final long recursionDrops;
    private final long callsAfterTimeout;
    private final int runningInvocations;
    private final Map<String, Long> messagesSent;
    private final Map<String, Long> messagesReceived;
    private final Map<String, Long> dlqMessages;

    private LocalStats(Builder b) {
        this.invocations = b.invocations;
        this.timeouts = b.timeouts;
        this.functionErrors = b.functionErrors;
        this.batchFailures = b.batchFailures;
        this.itemFailures = b.itemFailures;
        this.recursionDrops = b.recursionDrops;
        this.callsAfterTimeout = b.callsAfterTimeout;
        this.runningInvocations = b.runningInvocations;
        this.messagesSent = Map.copyOf(b.messagesSent);
        this.messagesReceived = Map.copyOf(b.messagesReceived);
        this.dlqMessages = Map.copyOf(b.dlqMessages);
    }

    /** {@return an empty builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding this snapshot's values} */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** {@return invocations started, by event-source mappings and the Invoke API} */
    public long invocations() {
        return invocations;
    }

    /** {@return invocations that overran the function's timeout and were interrupted} */
    public long timeouts() {
        return timeouts;
    }

    /** {@return invocations whose handler threw} */
    public long functionErrors() {
        return functionErrors;
    }

    /** {@return batches of an event-source mapping that failed whole (error, timeout, invalid response)} */
    public long batchFailures() {
        return batchFailures;
    }

    /** {@return messages a handler reported as failed through {@code ReportBatchItemFailures}} */
    public long itemFailures() {
        return itemFailures;
    }

    /** {@return messages dropped by the recursive-loop check (not deleted, left to the redrive policy)} */
    public long recursionDrops() {
        return recursionDrops;
    }

    /**
     * Returns the AWS calls that code of a timed-out invocation tried after its timeout (from its
     * handler's thread or a thread it started), on the clients {@code LocalAws} hands out. On
     * Lambda no code runs after the timeout; here such a call never reaches the service, and its
     * thread stays stopped in it.
     *
     * @return the calls stopped
     */
    public long callsAfterTimeout() {
        return callsAfterTimeout;
    }

    /** {@return invocations running when the snapshot was taken} */
    public int runningInvocations() {
        return runningInvocations;
    }

    /** {@return messages sent per queue name} */
    public Map<String, Long> messagesSent() {
        return messagesSent;
    }

    /**
     * Messages sent to the named queue.
     *
     * @param queueName the queue name
     * @return the messages sent
     */
    public long messagesSent(String queueName) {
        return messagesSent.getOrDefault(queueName, 0L);
    }

    /** {@return messages received per queue name (a message received twice counts twice)} */
    public Map<String, Long> messagesReceived() {
        return messagesReceived;
    }

    /**
     * Messages received from the named queue.
     *
     * @param queueName the queue name
     * @return the messages received
     */
    public long messagesReceived(String queueName) {
        return messagesReceived.getOrDefault(queueName, 0L);
    }

    /** {@return messages held per dead-letter queue (every queue some redrive policy names)} */
    public Map<String, Long> dlqMessages() {
        return dlqMessages;
    }

    /**
     * Messages held by the named dead-letter queue.
     *
     * @param queueName the queue name
     * @return the dlq messages
     */
    public long dlqMessages(String queueName) {
        return dlqMessages.getOrDefault(queueName, 0L);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LocalStats)) {
            return false;
        }
        LocalStats s = (LocalStats) o;
        return invocations == s.invocations && timeouts == s.timeouts && functionErrors == s.functionErrors
                && batchFailures == s.batchFailures && itemFailures == s.itemFailures
                && recursionDrops == s.recursionDrops && callsAfterTimeout == s.callsAfterTimeout
                && runningInvocations == s.runningInvocations
                && messagesSent.equals(s.messagesSent) && messagesReceived.equals(s.messagesReceived)
                && dlqMessages.equals(s.dlqMessages);
    }

    @Override
    public int hashCode() {
        return Objects.hash(invocations, timeouts, functionErrors, batchFailures, itemFailures, recursionDrops,
                callsAfterTimeout, runningInvocations, messagesSent, messagesReceived, dlqMessages);
    }

    @Override
    public String toString() {
        return "LocalStats{invocations=" + invocations + ", timeouts=" + timeouts + ", functionErrors="
                + functionErrors + ", batchFailures=" + batchFailures + ", itemFailures=" + itemFailures
                + ", recursionDrops=" + recursionDrops + ", callsAfterTimeout=" + callsAfterTimeout
                + ", runningInvocations=" + runningInvocations
                + ", messagesSent=" + new TreeMap<>(messagesSent) + ", messagesReceived="
                + new TreeMap<>(messagesReceived) + ", dlqMessages=" + new TreeMap<>(dlqMessages) + "}";
    }

    /** Builds a {@link LocalStats}. Not thread-safe. */
    public static final class Builder {
        private long invocations;
        private long timeouts;
        private long functionErrors;
        private long batchFailures;
        private long itemFailures;
        private long recursionDrops;
        private long callsAfterTimeout;
        private int runningInvocations;
        private Map<String, Long> messagesSent = Map.of();
        private Map<String, Long> messagesReceived = Map.of();
        private Map<String, Long> dlqMessages = Map.of();

        private Builder() {
        }

        private Builder(LocalStats s) {
            invocations = s.invocations;
            timeouts = s.timeouts;
            functionErrors = s.functionErrors;
            batchFailures = s.batchFailures;
            itemFailures = s.itemFailures;
            recursionDrops = s.recursionDrops;
            callsAfterTimeout = s.callsAfterTimeout;
            runningInvocations = s.runningInvocations;
            messagesSent = s.messagesSent;
            messagesReceived = s.messagesReceived;
            dlqMessages = s.dlqMessages;
        }

        /**
         * Sets {@link LocalStats#invocations()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder invocations(long value) {
            invocations = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#timeouts()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder timeouts(long value) {
            timeouts = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#functionErrors()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder functionErrors(long value) {
            functionErrors = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#batchFailures()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder batchFailures(long value) {
            batchFailures = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#itemFailures()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder itemFailures(long value) {
            itemFailures = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#recursionDrops()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder recursionDrops(long value) {
            recursionDrops = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#callsAfterTimeout()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder callsAfterTimeout(long value) {
            callsAfterTimeout = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#runningInvocations()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder runningInvocations(int value) {
            runningInvocations = value;
            return this;
        }

        /**
         * Sets {@link LocalStats#messagesSent()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder messagesSent(Map<String, Long> value) {
            messagesSent = Objects.requireNonNull(value, "messagesSent");
            return this;
        }

        /**
         * Sets {@link LocalStats#messagesReceived()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder messagesReceived(Map<String, Long> value) {
            messagesReceived = Objects.requireNonNull(value, "messagesReceived");
            return this;
        }

        /**
         * Sets {@link LocalStats#dlqMessages()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder dlqMessages(Map<String, Long> value) {
            dlqMessages = Objects.requireNonNull(value, "dlqMessages");
            return this;
        }

        /**
         * Builds the snapshot.
         *
         * @return the snapshot
         * @throws IllegalArgumentException when a count is negative
         */
        public LocalStats build() {
            check("invocations", invocations);
            check("timeouts", timeouts);
            check("functionErrors", functionErrors);
            check("batchFailures", batchFailures);
            check("itemFailures", itemFailures);
            check("recursionDrops", recursionDrops);
            check("callsAfterTimeout", callsAfterTimeout);
            check("runningInvocations", runningInvocations);
            return new LocalStats(this);
        }

        private static void check(String field, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(field + " must not be negative, was " + value);
            }
        }
    }
}
