package io.lambdarelay;

import java.time.Instant;

/**
 * One relay as {@link RelayControl#list()} finds it, from its queues' tags.
 *
 * @param relayId the relay's id
 * @param workerFunction the worker function its mapping invokes
 * @param state where it stands
 * @param created when it was set up, or null if its tags do not say
 * @param expires its deadline, after which the janitor removes it, or null if its tags do not say
 * @param queueUrl the relay queue, or null once it is gone
 * @param deadLetterQueueUrl the dead-letter queue, or null if there is none
 * @param detail why it is in that state, in words (a parked relay's reason, when it was paused),
 *     or empty
 * @param ledger the ledger the relay keeps its fan-in in, as its tag {@link Relay#TAG_LEDGER} names
 *     it (e.g. {@code dynamodb:relay-ledger}), or empty without one
 */
public record RelaySummary(String relayId, String workerFunction, RelayState state, Instant created, Instant expires,
        String queueUrl, String deadLetterQueueUrl, String detail, String ledger) {
}
