package io.lambdarelay.local;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Thrown by {@link LocalAws#awaitIdle(Duration)} when work is still going on after the timeout;
 * says what is still busy. Immutable.
 */
public final class IdleTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The timeout that passed. */
    private final Duration timeout;
    /** Invocations still running at the timeout. */
    private final int runningInvocations;
    /** Messages held per queue name at the timeout. */
    private final Map<String, Long> busyQueues;
    /** Event-source mappings still being deleted at the timeout. */
    private final List<String> deletingMappings;

    IdleTimeoutException(Duration timeout, int runningInvocations, Map<String, Long> busyQueues,
            List<String> deletingMappings) {
        super("LocalAws not idle after " + timeout + ": " + runningInvocations + " invocation(s) running, "
                + (busyQueues.isEmpty() ? "no queue holds messages"
                        : "messages (visible + in flight + delayed) held per queue: " + busyQueues)
                + (deletingMappings.isEmpty() ? "" : ", event-source mapping(s) still Deleting: " + deletingMappings)
                + "; a message that fails is retried after the visibility timeout until the redrive policy "
                + "moves it, so allow for that or look for a handler that never finishes");
        this.timeout = timeout;
        this.runningInvocations = runningInvocations;
        this.busyQueues = Map.copyOf(busyQueues);
        this.deletingMappings = List.copyOf(deletingMappings);
    }

    /** {@return the timeout that passed} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return invocations still running at the timeout} */
    public int runningInvocations() {
        return runningInvocations;
    }

    /** {@return messages still held per queue name at the timeout, for queues that mappings read} */
    public Map<String, Long> busyQueues() {
        return busyQueues;
    }

    /** {@return the UUIDs of event-source mappings still in the {@code Deleting} state at the timeout} */
    public List<String> deletingMappings() {
        return deletingMappings;
    }
}
