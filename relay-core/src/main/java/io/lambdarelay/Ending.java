package io.lambdarelay;

import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger.Completion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a relay once: every way a relay ends (its chain or last part finished, a guard tripped, too
 * many parts failed, its packet was dead-lettered, its watchdog saw it drained) claims the end
 * through the ledger with the invocation's lease, runs the completion or failure hook, records
 * that the hook ran, and tears down. A duplicate of the ending message that arrives while the
 * first runs does nothing and returns its record as failed ({@link EndingElsewhere}), so the
 * message stays: should the first die, its redelivery runs what is left (a duplicate that
 * acknowledged would delete the one message the redelivery needs). Without a ledger every caller
 * ends the relay (at least once). Thread-safe as far as its worker is.
 */
final class Ending {
    private static final Logger LOG = LoggerFactory.getLogger(Ending.class);

    private final Relay relay;
    private final RelayWorker worker;
    private final FanIn fanIn;
    private final PoolGate gate;

    Ending(Relay relay, RelayWorker worker, FanIn fanIn, PoolGate gate) {
        this.relay = relay;
        this.worker = worker;
        this.fanIn = fanIn;
        this.gate = gate;
    }

    /** The chain finished its work. */
    void chainDone(RelayPacket pkt, String messageId, Invocation inv) throws Exception {
        end(pkt, messageId, inv, null, false);
    }

    /** The relay failed for {@code failure}. */
    void failed(RelayPacket pkt, String messageId, Invocation inv, RelayFailure failure) throws Exception {
        end(pkt, messageId, inv, failure, keepsDeadLetters(failure));
    }

    /** Whether a relay with this packet's policy parks when its packets are dead-lettered. */
    static boolean parks(RelayPacket pkt) {
        return !pkt.policy().endsWhenDeadLettered();
    }

    /** As {@link #parks(RelayPacket)}; a pooled relay parks only in a ledger that keeps pooled relays. */
    private boolean parksHere(RelayPacket pkt) {
        return parks(pkt) && (!pkt.policy().pooled() || gate.controls());
    }

    /**
     * Parks the relay instead of ending it: its mappings are disabled and its queues kept, so the
     * dead-lettered packets can go back once the worker is fixed. The relay has not ended: no
     * completion is claimed, and {@link RelayWorker#onRelayParked} runs (at least once).
     */
    void park(RelayPacket pkt, Invocation inv, RelayFailure failure) {
        String where = pkt.header().isPart() ? "part " + pkt.part() + " hop " + pkt.hop() : "hop " + pkt.hop();
        if (pkt.policy().pooled() && gate.park(pkt, failure.reason() + " at " + where)) {
            LOG.warn("relay {} parked in its pool ({}): {}; its packets wait, the dead-lettered ones in the pool's "
                    + "dead-letter queue. Fix the worker, deploy it, then resume the relay (RelayControl.resume or: "
                    + "relay resume {})", pkt.relayId(), failure.reason(), failure.message(), pkt.relayId());
        } else {
            int disabled = relay.wiring().parking().park(pkt.queueUrl(), relay.wiring().clock().instant().toString(),
                    failure.reason() + " at " + where);
            LOG.warn("relay {} parked ({}): {}; {} mapping(s) disabled, its queues kept. Fix the worker, deploy it, "
                    + "then resume the relay (RelayControl.resume or: relay resume {})", pkt.relayId(),
                    failure.reason(), failure.message(), disabled, pkt.relayId());
        }
        try {
            worker.onRelayParked(pkt, failure, inv.context());
        } catch (RuntimeException hookFailure) {
            LOG.warn("relay {}: onRelayParked hook threw {}", pkt.relayId(), hookFailure.getClass().getName());
        }
    }

    /** The watchdog saw the fan-out drained, with {@code deadLettered} parts in the dead-letter queue. */
    void drained(RelayPacket dog, String messageId, Invocation inv, long deadLettered) throws Exception {
        end(dog, messageId, inv, null, deadLettered > 0);
    }

    /** A part finished, successfully or not: with a ledger, the last part (or one too many failures) ends the relay. */
    void partDone(RelayPacket pkt, String messageId, Invocation inv, boolean failed) throws Exception {
        inv.charge(pkt);
        PartTally tally = fanIn.finishPart(pkt, failed);
        if (tally == null) {
            return; // no ledger: the drain watchdog completes the fan-out
        }
        RelayFailure tooMany = Guards.tooManyFailedParts(pkt, tally);
        if (tooMany != null && parksHere(pkt)) {
            park(pkt, inv, tooMany);
        } else if (tooMany != null) {
            end(pkt, messageId, inv, tooMany, true);
        } else if (tally.finished() >= pkt.partCount()) {
            LOG.info("relay {}: all {} parts finished ({} failed, tolerated {}); completing", pkt.relayId(),
                    pkt.partCount(), tally.failed(), pkt.policy().toleratedFailures());
            end(pkt, messageId, inv, null, tally.failed() > 0);
        }
    }

    /** The packet's last attempt went to the dead-letter queue: a chain is over, a part counts as failed. */
    void deadLettered(RelayPacket pkt, String messageId, Invocation inv, long receiveCount) throws Exception {
        if (pkt.header().isPart()) {
            partDone(pkt, messageId, inv, true);
        } else if (parksHere(pkt)) {
            park(pkt, inv, Guards.deadLettered(pkt, receiveCount));
        } else {
            end(pkt, messageId, inv, Guards.deadLettered(pkt, receiveCount), true);
        }
    }

    private void end(RelayPacket pkt, String messageId, Invocation inv, RelayFailure failure, boolean keepDlq)
            throws Exception {
        Completion claim = fanIn.beginCompletion(pkt, messageId, inv.lease());
        if (claim == Completion.OTHER) {
            LOG.info("relay {}: another invocation is ending it; message {} is returned, to come back after the "
                    + "visibility timeout in case that invocation dies", pkt.relayId(), messageId);
            throw new EndingElsewhere();
        }
        if (claim == Completion.RUN_HOOK) {
            inv.charge(pkt);
            fanIn.chainEnded(pkt);
            if (failure == null) {
                worker.onComplete(pkt, inv.context());
            } else {
                LOG.warn("relay {} ended ({}): {}", pkt.relayId(), failure.reason(), failure.message());
                try {
                    worker.onRelayFailed(pkt, failure, inv.context());
                } catch (RuntimeException hookFailure) {
                    LOG.warn("relay {}: onRelayFailed hook threw {}", pkt.relayId(), hookFailure.getClass().getName());
                }
            }
            fanIn.endCompletion(pkt);
        } else {
            LOG.info("relay {}: its hook ran already; message {} finishes the tear-down", pkt.relayId(), messageId);
        }
        relay.tearDown(pkt, keepDlq);
    }

    /**
     * Thrown when another invocation holds the lease on the relay's end: the record is returned
     * to SQS as failed, without a warning, an {@code onFailure} call or a dead-lettering.
     */
    static final class EndingElsewhere extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EndingElsewhere() {
            super("another invocation is ending the relay", null, false, false);
        }
    }

    private static boolean keepsDeadLetters(RelayFailure failure) {
        return failure.reason() == RelayFailure.Reason.DEAD_LETTERED
                || failure.reason() == RelayFailure.Reason.TOO_MANY_FAILED_PARTS;
    }
}
