package io.lambdarelay;

import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger as a worker uses it: claims hops against forks, counts units, counts finished parts
 * and lets exactly one worker complete a fan-out. Without a ledger (or for a packet the Node
 * package started, which has no relay id) it is {@link #NONE}: every claim holds, nothing is
 * counted, and a fan-out is completed by its drain watchdog. Implementations are thread-safe.
 */
interface FanIn {

    /** Claims the packet's hop for its message; {@code false} means a fork: acknowledge without work. */
    boolean claim(RelayPacket pkt, String messageId);

    /** Adds completed units to the relay's progress. */
    void addUnits(RelayPacket pkt, int units);

    /** Records that the packet's part finished, and returns the tally after it ({@code null} without a ledger). */
    PartTally finishPart(RelayPacket pkt, boolean failed);

    /** Whether this message completes the relay: true for exactly one message (and its redeliveries). */
    boolean markComplete(RelayPacket pkt, String messageId);

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
        public PartTally finishPart(RelayPacket pkt, boolean failed) {
            return null;
        }

        @Override
        public boolean markComplete(RelayPacket pkt, String messageId) {
            return false;
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
    static FanIn of(RelayLedger ledger) {
        return ledger == null ? NONE : new WithLedger(ledger);
    }

    /** Exactly-once hand-offs and exact fan-in through a ledger. */
    final class WithLedger implements FanIn {
        private static final Logger LOG = LoggerFactory.getLogger(FanIn.class);
        private final RelayLedger ledger;

        WithLedger(RelayLedger ledger) {
            this.ledger = ledger;
        }

        @Override
        public boolean claim(RelayPacket pkt, String messageId) {
            if (pkt.relayId() == null) {
                return true;
            }
            if (ledger.claimHop(pkt.relayId(), pkt.part(), pkt.hop(), messageId) != RelayLedger.Claim.FORK) {
                return true;
            }
            LOG.info("relay {}: message {} repeats part {} hop {}, which another message claimed; dropped as a fork",
                    pkt.relayId(), messageId, pkt.part(), pkt.hop());
            return false;
        }

        @Override
        public void addUnits(RelayPacket pkt, int units) {
            if (pkt.relayId() != null && units > 0) {
                ledger.addUnits(pkt.relayId(), units);
            }
        }

        @Override
        public PartTally finishPart(RelayPacket pkt, boolean failed) {
            return pkt.relayId() == null ? null : ledger.finishPart(pkt.relayId(), pkt.part(), failed);
        }

        @Override
        public boolean markComplete(RelayPacket pkt, String messageId) {
            return pkt.relayId() != null && ledger.markComplete(pkt.relayId(), messageId);
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
