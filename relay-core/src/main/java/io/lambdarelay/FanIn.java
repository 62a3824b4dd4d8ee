package io.lambdarelay;

import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.ledger.RelayLedger.Completion;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger as a worker uses it: claims hops against forks, counts units, counts finished parts
 * and lets exactly one invocation end a relay. Without a ledger (or for a packet the Node package
 * started, which has no relay id) it is {@link #NONE}: every claim holds, nothing is counted,
 * every caller ends the relay, and a fan-out is completed by its drain watchdog. Implementations
 * are thread-safe.
 *
 * <p>Each write to the ledger is added to the packet's cost as the ledger writes it (as
 * {@code DynamoDbRelayLedger} does: a claim, a hop's progress, a completion claim and its end one
 * write each; a part's finish two). A hop's progress (its units, what its packet spent since the
 * previous record, and when) is one write as the worker passes the packet on ({@link Sender}
 * calls {@link #progress}), or as its chain ends or its part finishes; so the ledger knows a
 * running relay's hops, units, cost and last hop.
 */
interface FanIn {
    /** The part a drain watchdog's hops are claimed as: outside the parts, so it takes no part's claim. */
    int WATCHDOG_PART = -1;

    /** Claims the packet's hop for its message; {@code false} means a fork: acknowledge without work. */
    boolean claim(RelayPacket pkt, String messageId);

    /** Adds completed units to the relay's progress: counted by the packet's next progress write. */
    void addUnits(RelayPacket pkt, int units);

    /**
     * Whether a pass of this packet writes its progress: with a ledger, for a packet a worker
     * received (the start's pass writes none). The pass charges the write ahead of time.
     */
    boolean recordsProgress(RelayPacket pkt);

    /**
     * Writes the packet's progress as it is passed with cost {@code upTo}: its pending units and
     * what it spent since its previous record. A failure is logged and leaves the figures behind;
     * the pass goes on (progress is for operators, the hand-off is the relay's).
     *
     * @return whether it was written
     */
    boolean progress(RelayPacket pkt, RelayCost upTo);

    /**
     * Adds what the packet's part spent to the relay's cost, then records that the part finished,
     * and returns the tally after it ({@code null} without a ledger).
     */
    PartTally finishPart(RelayPacket pkt, boolean failed);

    /** A chain ends: adds what it spent to the relay's cost in the ledger. */
    void chainEnded(RelayPacket pkt);

    /** The relay's cost in the ledger so far (its finished parts, or its ended chain); empty without a ledger. */
    Optional<RelayCost> cost(RelayPacket pkt);

    /** Takes the packet's part back from failed to running, for a redriven packet. */
    void reopenPart(RelayPacket pkt);

    /** Claims the end of the relay for this invocation, for {@code lease}. */
    Completion beginCompletion(RelayPacket pkt, String messageId, Duration lease);

    /** Records that the relay's hook ran. */
    void endCompletion(RelayPacket pkt);

    /** The relay's tally so far, or {@code null} without a ledger. */
    PartTally tally(RelayPacket pkt);

    /** Whether a fan-out completes exactly through the ledger; if not, it needs a drain watchdog. */
    boolean exact();

    /** No ledger: at-least-once hand-offs, and the drain watchdog completes a fan-out. */
    FanIn NONE = new FanIn() {
        @Override
        public boolean claim(RelayPacket pkt, String messageId) {
            return true;
        }

        @Override
        public void addUnits(RelayPacket pkt, int units) {
        }

        @Override
        public boolean recordsProgress(RelayPacket pkt) {
            return false;
        }

        @Override
        public boolean progress(RelayPacket pkt, RelayCost upTo) {
            return false;
        }

        @Override
        public PartTally finishPart(RelayPacket pkt, boolean failed) {
            return null;
        }

        @Override
        public void chainEnded(RelayPacket pkt) {
        }

        @Override
        public Optional<RelayCost> cost(RelayPacket pkt) {
            return Optional.empty();
        }

        @Override
        public void reopenPart(RelayPacket pkt) {
        }

        @Override
        public Completion beginCompletion(RelayPacket pkt, String messageId, Duration lease) {
            return Completion.RUN_HOOK;
        }

        @Override
        public void endCompletion(RelayPacket pkt) {
        }

        @Override
        public PartTally tally(RelayPacket pkt) {
            return null;
        }

        @Override
        public boolean exact() {
            return false;
        }
    };

    /** The fan-in of a relay with {@code ledger}, or {@link #NONE} if it is {@code null}. */
    static FanIn of(RelayLedger ledger, Clock clock) {
        return ledger == null ? NONE : new WithLedger(ledger, clock);
    }

    /** Exactly-once hand-offs and exact fan-in through a ledger. */
    final class WithLedger implements FanIn {
        private static final Logger LOG = LoggerFactory.getLogger(FanIn.class);
        /** The writes of a part's finish: its shard and the tally, in {@code DynamoDbRelayLedger}. */
        private static final int FINISH_WRITES = 2;
        private final RelayLedger ledger;
        private final Clock clock;

        WithLedger(RelayLedger ledger, Clock clock) {
            this.ledger = ledger;
            this.clock = clock;
        }

        @Override
        public boolean claim(RelayPacket pkt, String messageId) {
            if (pkt.relayId() == null) {
                return true;
            }
            int part = pkt.hopState().kind() == HopState.Kind.WATCHDOG ? WATCHDOG_PART : pkt.part();
            pkt.addCost(RelayCost.ledgerWrites(1));
            if (ledger.claimHop(pkt.relayId(), part, pkt.hop(), messageId) != RelayLedger.Claim.FORK) {
                return true;
            }
            LOG.info("relay {}: message {} repeats part {} hop {}, which another message claimed; dropped as a fork",
                    pkt.relayId(), messageId, part, pkt.hop());
            return false;
        }

        @Override
        public void addUnits(RelayPacket pkt, int units) {
            if (pkt.relayId() != null && units > 0) {
                pkt.addPendingUnits(units);
            }
        }

        @Override
        public boolean recordsProgress(RelayPacket pkt) {
            return pkt.relayId() != null && pkt.hop() >= Header.FIRST_HOP
                    && pkt.hopState().kind() != HopState.Kind.WATCHDOG;
        }

        @Override
        public boolean progress(RelayPacket pkt, RelayCost upTo) {
            try {
                ledger.addProgress(pkt.relayId(), pkt.pendingUnits(), upTo.minus(pkt.ledgeredCost()), clock.instant());
                pkt.ledgered(upTo);
                return true;
            } catch (RuntimeException e) {
                LOG.warn("relay {}: part {} hop {}: its progress was not recorded ({}); the relay goes on, its status "
                        + "counts less", pkt.relayId(), pkt.part(), pkt.hop(), e.getClass().getSimpleName());
                return false;
            }
        }

        @Override
        public PartTally finishPart(RelayPacket pkt, boolean failed) {
            if (pkt.relayId() == null) {
                return null;
            }
            // The progress first: once the last part's finish is recorded, every part's cost is in.
            pkt.addCost(RelayCost.ledgerWrites(1 + FINISH_WRITES));
            record(pkt);
            return ledger.finishPart(pkt.relayId(), pkt.part(), failed);
        }

        @Override
        public void chainEnded(RelayPacket pkt) {
            if (pkt.relayId() != null && !pkt.header().isPart()) {
                pkt.addCost(RelayCost.ledgerWrites(1));
                record(pkt);
            }
        }

        /** The last progress of a chain or part, before its end is recorded: a failure fails the record. */
        private void record(RelayPacket pkt) {
            ledger.addProgress(pkt.relayId(), pkt.pendingUnits(), pkt.unledgeredCost(), clock.instant());
            pkt.ledgered(pkt.cost());
        }

        @Override
        public Optional<RelayCost> cost(RelayPacket pkt) {
            return pkt.relayId() == null ? Optional.empty() : ledger.cost(pkt.relayId());
        }

        @Override
        public void reopenPart(RelayPacket pkt) {
            if (pkt.relayId() != null && pkt.header().isPart()) {
                ledger.reopenPart(pkt.relayId(), pkt.part());
            }
        }

        @Override
        public Completion beginCompletion(RelayPacket pkt, String messageId, Duration lease) {
            if (pkt.relayId() == null) {
                return Completion.RUN_HOOK;
            }
            // The claim and, ahead of time, its end: so the hook sees both.
            pkt.addCost(RelayCost.ledgerWrites(2));
            return ledger.beginCompletion(pkt.relayId(), messageId, lease);
        }

        @Override
        public void endCompletion(RelayPacket pkt) {
            if (pkt.relayId() != null) {
                ledger.endCompletion(pkt.relayId());
            }
        }

        @Override
        public PartTally tally(RelayPacket pkt) {
            return pkt.relayId() == null ? null : ledger.tally(pkt.relayId());
        }

        @Override
        public boolean exact() {
            return true;
        }
    }
}
