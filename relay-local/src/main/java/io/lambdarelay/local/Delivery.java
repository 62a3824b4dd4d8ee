package io.lambdarelay.local;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one delivery by an event-source mapping did, as {@link LocalAws#deliver(String)} reports
 * it: the batch received, the invocation's outcome, and which messages were left on the queue as
 * failed (to come back after the visibility timeout). Immutable.
 *
 * @param mappingUuid the event-source mapping that delivered the batch
 * @param functionName the function it invoked
 * @param requestId the invocation's request id; null when the recursive-loop check dropped the
 *     whole batch and nothing was invoked
 * @param messageIds the ids of the messages received, in batch order
 * @param failedIds the ids left on the queue as failed: the batch item failures the function
 *     reported, or the whole batch when it threw, was killed or timed out
 * @param outcome how the invocation ended
 * @param deliveredTwice whether the batch also went to a second invocation at the same time
 *     (injected with {@link io.lambdarelay.local.faults.Faults#deliverTwice}); the outcome is the
 *     first invocation's
 */
public record Delivery(String mappingUuid, String functionName, String requestId, List<String> messageIds,
        Set<String> failedIds, InvocationEvent.Outcome outcome, boolean deliveredTwice) {

    /**
     * Checks the fields and copies the collections, so a delivery cannot change after the fact.
     *
     * @param mappingUuid the mapping
     * @param functionName the function
     * @param requestId the request id, or null
     * @param messageIds the messages received
     * @param failedIds the messages left as failed
     * @param outcome how the invocation ended
     * @param deliveredTwice whether a second invocation got the batch too
     */
    public Delivery {
        Objects.requireNonNull(mappingUuid, "mappingUuid");
        Objects.requireNonNull(functionName, "functionName");
        messageIds = List.copyOf(messageIds);
        failedIds = Set.copyOf(failedIds);
        Objects.requireNonNull(outcome, "outcome");
    }

    /** {@return whether every message of the batch succeeded and was deleted} */
    public boolean succeeded() {
        return outcome == InvocationEvent.Outcome.SUCCEEDED;
    }
}
