package io.lambdarelay.local;

import java.time.Duration;
import java.util.Objects;

/**
 * What happened in one invocation (or one event dropped by the recursive-loop check), as passed to
 * a listener registered with {@link LocalAws#onInvocation}. Immutable and thread-safe.
 */
public final class InvocationEvent {

    /** How an invocation ended. */
    public enum Outcome {
        /** The function returned and every message in the batch succeeded. */
        SUCCEEDED,
        /** The function reported some batch items as failed; the others were deleted. */
        PARTIALLY_FAILED,
        /** The function threw, or returned an invalid batch response; the whole batch failed. */
        FAILED,
        /** The function overran its timeout and was interrupted; the whole batch failed. */
        TIMED_OUT,
        /** No invocation took place: the recursive-loop check dropped the messages. */
        RECURSION_DROPPED
    }

    /** What started an invocation. */
    public enum Trigger {
        /** An event-source mapping polling an SQS queue. */
        EVENT_SOURCE_MAPPING,
        /** A call of the Invoke API. */
        INVOKE
    }

    private final String functionName;
    private final String requestId;
    private final Trigger trigger;
    private final Outcome outcome;
    private final int messages;
    private final int failedMessages;
    private final int hop;
    private final Duration duration;

    /**
     * Creates an event.
     *
     * @param functionName the function's name
     * @param requestId the invocation's request id, null for a recursion drop
     * @param trigger what started the invocation
     * @param outcome how it ended
     * @param messages messages in the batch (0 for Invoke)
     * @param failedMessages messages left on the queue as failed
     * @param hop times the chain had already passed through this function (0 for a fresh event)
     * @param duration how long the function ran
     */
    public InvocationEvent(String functionName, String requestId, Trigger trigger, Outcome outcome, int messages,
            int failedMessages, int hop, Duration duration) {
        this.functionName = Objects.requireNonNull(functionName, "functionName");
        this.requestId = requestId;
        this.trigger = Objects.requireNonNull(trigger, "trigger");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.messages = messages;
        this.failedMessages = failedMessages;
        this.hop = hop;
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    /** {@return the function's name} */
    public String functionName() {
        return functionName;
    }

    /** {@return the invocation's request id; null when no invocation took place} */
    public String requestId() {
        return requestId;
    }

    /** {@return what started the invocation} */
    public Trigger trigger() {
        return trigger;
    }

    /** {@return how the invocation ended} */
    public Outcome outcome() {
        return outcome;
    }

    /** {@return number of SQS messages in the batch; 0 for an Invoke call} */
    public int messages() {
        return messages;
    }

    /** {@return number of messages left on the queue as failed} */
    public int failedMessages() {
        return failedMessages;
    }

    /** {@return how many times the chain had already passed through this function, as the lineage counts it} */
    public int hop() {
        return hop;
    }

    /** {@return how long the function ran} */
    public Duration duration() {
        return duration;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof InvocationEvent)) {
            return false;
        }
        InvocationEvent e = (InvocationEvent) o;
        return messages == e.messages && failedMessages == e.failedMessages && hop == e.hop
                && functionName.equals(e.functionName) && Objects.equals(requestId, e.requestId)
                && trigger == e.trigger && outcome == e.outcome && duration.equals(e.duration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(functionName, requestId, trigger, outcome, messages, failedMessages, hop, duration);
    }

    @Override
    public String toString() {
        return "InvocationEvent{function=" + functionName + ", requestId=" + requestId + ", trigger=" + trigger
                + ", outcome=" + outcome + ", messages=" + messages + ", failedMessages=" + failedMessages
                + ", hop=" + hop + ", duration=" + duration + "}";
    }
}
