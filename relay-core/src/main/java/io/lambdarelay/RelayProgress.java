package io.lambdarelay;

import io.lambdarelay.ledger.PartTally;
import java.util.OptionalLong;

/**
 * A snapshot of a relay's progress: parts done and failed and units processed (from the ledger),
 * and packets waiting in the queues (from SQS's approximate counts, which may lag by up to a
 * minute). A figure the relay cannot know is empty: the tally without a ledger, the dead-letter
 * count of a relay without a dead-letter queue, a count of a queue that is gone.
 *
 * @param parts the relay's part count, 1 for a chain
 * @param done parts finished successfully, from the ledger
 * @param failed parts that gave up, from the ledger
 * @param units units processed across all parts, from the ledger
 * @param queued packets in the relay queue: visible, in flight and delayed
 * @param deadLettered packets in the dead-letter queue
 */
public record RelayProgress(int parts, OptionalLong done, OptionalLong failed, OptionalLong units,
        OptionalLong queued, OptionalLong deadLettered) {

    /** The progress from a ledger's tally ({@code null} without a ledger) and the queues' counts. */
    static RelayProgress of(int parts, PartTally tally, OptionalLong queued, OptionalLong deadLettered) {
        if (tally == null) {
            return new RelayProgress(parts, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), queued,
                    deadLettered);
        }
        return new RelayProgress(parts, OptionalLong.of(tally.done()), OptionalLong.of(tally.failed()),
                OptionalLong.of(tally.units()), queued, deadLettered);
    }
}
