package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.internal.Queues;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * One record's hop, top to bottom: claim it, dead-letter it if its last attempt died, check the
 * guards, run units while the budget allows (paced, with throttling undone), then pass the packet
 * on or finish. Runs the user's code through the {@link RelayWorker}'s hooks and ends relays
 * through {@link Ending}. Thread-safe as far as its worker is.
 */
final class HopRunner {
    private static final Logger LOG = LoggerFactory.getLogger(HopRunner.class);

    private final RelayWorker worker;
    private final Wiring wiring;
    private final FanIn fanIn;
    private final Ending ending;
    private final PoolGate gate;

    HopRunner(Relay relay, RelayWorker worker) {
        this.worker = worker;
        this.wiring = relay.wiring();
        this.fanIn = wiring.fanIn();
        this.gate = new PoolGate(wiring, relay.ledger().orElse(null));
        this.ending = new Ending(relay, worker, fanIn, gate);
    }

    void run(RelayPacket pkt, SQSMessage message, Invocation inv) throws Exception {
        inv.hopStarts(pkt, message);
        String messageId = message.getMessageId();
        if (!gate.admit(pkt, inv)) {
            return; // a pooled relay paused, parked or over: the packet waits in the pool, or is dropped
        }
        if (!fanIn.claim(pkt, messageId)) {
            return;
        }
        long receives = receiveCount(message);
        if (pastLastAttempt(pkt, receives)) {
            deadLetterLate(pkt, message, inv, receives);
            return;
        }
        RelayFailure expired = Guards.deadline(pkt, wiring.clock().instant());
        if (expired != null) {
            ending.failed(pkt, messageId, inv, expired);
            return;
        }
        if (pkt.hopState().kind() == HopState.Kind.WATCHDOG) {
            watch(pkt, messageId, inv);
            return;
        }
        if (wiring.sender().deferIfNotDue(pkt, inv::charge)) {
            return;
        }
        RelayFailure tooFar = Guards.maxHops(pkt);
        if (tooFar == null) {
            // A deadline hand-off counts an idle hop without checking it: it has no time to end a relay.
            tooFar = Guards.noProgress(pkt, pkt.hopState().idleHops());
        }
        if (tooFar != null) {
            ending.failed(pkt, messageId, inv, tooFar);
            return;
        }
        work(pkt, messageId, inv);
    }

    private void work(RelayPacket pkt, String messageId, Invocation inv) throws Exception {
        long hint = Math.max(pkt.hopState().unitMs(), inv.longestUnitMs());
        TimeBudget budget = worker.newBudget(inv.context(), Duration.ofMillis(hint));
        if (!inv.firstRecord() && hint > budget.usableMillis() + budget.reserveMillis()) {
            // Earlier records of this batch used the time one unit needs; a fresh invocation has it.
            pkt.hopState(pkt.hopState().withUnitMs(hint));
            passOn(pkt, Duration.ZERO, inv);
            LOG.debug("relay {}: part {} hop {} passed on untouched: {} ms left after earlier records, a unit takes {} ms",
                    pkt.relayId(), pkt.part(), pkt.hop() - 1, budget.usableMillis() + budget.reserveMillis(), hint);
            return;
        }
        Pacer pacer = Pacer.of(pkt, wiring.clock(), wiring.adaptiveRates());
        boolean more = true;
        boolean throttled = false;
        while (more) {
            long waitMs = pacer.waitMillis();
            if (!budget.hasTimeForAnother(waitMs)) {
                break;
            }
            if (waitMs > 0) {
                worker.pause(waitMs);
            }
            pacer.unitStarts(pkt);
            RelayPacket before = pkt.copy();
            inv.deadline().unitStarts(before, budget);
            RuntimeException failure = null;
            try {
                more = budget.measure(() -> runUnit(pkt));
            } catch (RuntimeException e) {
                failure = e;
            }
            if (!inv.deadline().unitEnds()) {
                throw new Deadline.HandedOff();
            }
            if (failure instanceof RelayThrottledException) {
                inv.throttled();
                pkt.restoreFrom(before);
                if (pacer.throttled(pkt)) {
                    continue; // an adaptive rate: slower now, and the unit again
                }
                throttled = true;
                break;
            }
            if (failure != null) {
                throw failure;
            }
            pacer.succeeded(pkt);
            pkt.hopState(pkt.hopState().withThrottles(0));
        }
        inv.sawUnit(budget.longestMeasuredMillis());
        int units = budget.unitsCompleted();
        fanIn.addUnits(pkt, units);
        if (throttled) {
            int throttles = pkt.hopState().throttles() + 1;
            pkt.hopState(pkt.hopState().withThrottles(throttles).withUnitMs(unitHint(budget)));
            Duration delay = worker.throttleDelay(throttles);
            LOG.info("relay {}: part {} throttled ({} in a row) after {} unit(s); passed on with {} ms back-off",
                    pkt.relayId(), pkt.part(), throttles, units, delay.toMillis());
            passOn(pkt, delay, inv);
            inv.unitsKept(units);
            return;
        }
        if (more) {
            long idle = units == 0 ? pkt.hopState().idleHops() + 1 : 0;
            RelayFailure stuck = Guards.noProgress(pkt, idle);
            if (stuck != null) {
                ending.failed(pkt, messageId, inv, stuck);
                return;
            }
            pkt.hopState(pkt.hopState().withIdleHops(idle).withUnitMs(unitHint(budget)));
            passOn(pkt, Duration.ZERO, inv);
        } else if (pkt.header().isPart()) {
            worker.onPartComplete(pkt, inv.context());
            ending.partDone(pkt, messageId, inv, false);
        } else {
            ending.chainDone(pkt, messageId, inv);
        }
        inv.unitsKept(units);
        LOG.debug("relay {}: part {} hop {} ran {} unit(s) in {} ms, {}", pkt.relayId(), pkt.part(), pkt.hop(), units,
                budget.spentMillis(), more ? "passed on" : "finished");
    }

    /** Passes the packet on after work, and notes what is left of the invocation then. */
    private void passOn(RelayPacket pkt, Duration delay, Invocation inv) {
        inv.charge(pkt);
        wiring.sender().pass(pkt, delay);
        inv.passedOn();
    }

    /** Whether this receive is the packet's last attempt: if it fails, the worker dead-letters it. */
    boolean isFinalAttempt(RelayPacket pkt, SQSMessage message) {
        long maxReceive = pkt.policy().maxReceive();
        return maxReceive > 0 && pkt.hopState().kind() == HopState.Kind.WORK && receiveCount(message) >= maxReceive;
    }

    /**
     * Whether the packet arrives after its last attempt: that attempt died without a result (a
     * timeout, out of memory, a crash, or a failure to record its end), so no unit runs again.
     */
    private static boolean pastLastAttempt(RelayPacket pkt, long receives) {
        long maxReceive = pkt.policy().maxReceive();
        return maxReceive > 0 && pkt.hopState().kind() == HopState.Kind.WORK && receives > maxReceive;
    }

    private void deadLetterLate(RelayPacket pkt, SQSMessage message, Invocation inv, long receives) throws Exception {
        LOG.warn("relay {}: part {} hop {} arrives for receive {}, after its last attempt ({}) ended without a result; "
                + "moving it to the dead-letter queue", pkt.relayId(), pkt.part(), pkt.hop(), receives,
                pkt.policy().maxReceive());
        AttemptsExhaustedException reason = new AttemptsExhaustedException(pkt.policy().maxReceive());
        if (!wiring.sender().deadLetter(pkt, message.getBody(), reason, receives)) {
            throw new RelayException("relay " + pkt.relayId() + ": could not move part " + pkt.part() + " hop "
                    + pkt.hop() + " to the dead-letter queue; the record fails and comes back");
        }
        afterDeadLetter(pkt, message, inv);
    }

    /** After a packet's last attempt went to the dead-letter queue: a chain is over, a part counts as failed. */
    void afterDeadLetter(RelayPacket pkt, SQSMessage message, Invocation inv) throws Exception {
        ending.deadLettered(pkt, message.getMessageId(), inv, receiveCount(message));
    }

    /**
     * Moves a body that is not a valid packet to the dead-letter queue of the queue it came from
     * (found from the record's event source, since the body cannot be trusted): it will not become
     * valid on a retry. Logs why, never the body.
     *
     * @return whether it was moved; if not, the record must fail
     */
    boolean deadLetterInvalid(SQSMessage message, InvalidPacketException error) {
        long receives = receiveCount(message);
        String source = message.getEventSourceArn();
        Queues.Info info = null;
        String lookupFailure = null;
        if (source != null && !source.isEmpty()) {
            try {
                info = wiring.facts().of(wiring.facts().urlOf(source));
            } catch (SdkException | IllegalArgumentException e) {
                lookupFailure = e.getClass().getSimpleName();
            }
        }
        String of = info != null && info.maxReceiveCount() > 0 ? " of " + info.maxReceiveCount() : "";
        String dlq = info == null ? null : info.deadLetterQueueUrl();
        if (dlq != null && wiring.sender().deadLetterTo(dlq, message.getBody(), error, receives)) {
            LOG.warn("message {} is not a relay packet ({}: {}); receive {}{}: moved to the dead-letter queue {}",
                    message.getMessageId(), error.reason(), error.getMessage(), receives, of, dlq);
            return true;
        }
        String why = source == null || source.isEmpty() ? "the record names no source queue"
                : lookupFailure != null ? "its queue could not be read (" + lookupFailure + ")"
                : dlq == null ? "its queue has no dead-letter queue" : "SQS refused the move";
        LOG.warn("message {} is not a relay packet ({}: {}); receive {}{}: not moved to a dead-letter queue because {}; "
                + "it comes back{}", message.getMessageId(), error.reason(), error.getMessage(), receives, of, why,
                info != null && info.maxReceiveCount() > 0 ? " until SQS moves it after receive "
                        + info.maxReceiveCount() : "");
        return false;
    }

    private void watch(RelayPacket dog, String messageId, Invocation inv) throws Exception {
        DrainWatchdog.Verdict v = wiring.watchdog().watch(dog);
        if (v.failure() != null && Ending.parks(dog)) {
            // The watchdog waits in the parked queue, to watch again once the relay is resumed.
            dog.hopState(dog.hopState().withEmptySince(0));
            inv.charge(dog);
            wiring.sender().pass(dog, DrainWatchdog.PERIOD);
            ending.park(dog, inv, v.failure());
        } else if (v.failure() != null) {
            ending.failed(dog, messageId, inv, v.failure());
        } else if (v.complete()) {
            ending.drained(dog, messageId, inv, v.deadLettered());
        }
    }

    /** This invocation's longest unit; the incoming hint only if no unit ran, so a slow unit is not carried forever. */
    private static long unitHint(TimeBudget budget) {
        return budget.unitsCompleted() > 0 ? budget.longestMeasuredMillis() : budget.longestUnitMillis();
    }

    static long receiveCount(SQSMessage message) {
        return attribute(message, "ApproximateReceiveCount");
    }

    /** A whole-number system attribute of the record ({@code ApproximateReceiveCount}, {@code SentTimestamp}); 0 if absent. */
    static long attribute(SQSMessage message, String name) {
        if (message.getAttributes() == null) {
            return 0;
        }
        try {
            return Long.parseLong(message.getAttributes().getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private boolean runUnit(RelayPacket pkt) {
        try {
            wiring.beforeUnit().accept(pkt);
            return worker.processUnit(pkt);
        } catch (InvalidPacketException e) {
            // The unit's own misuse of its packet (a value of the wrong type, one putObject cannot
            // write): a failed unit, retried and at last dead-lettered with the relay ended, not a
            // body that was never a packet.
            throw new UnitFailure(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UnitFailure(e);
        }
    }

    /** An interrupt, or an SDK call or I/O it aborted, anywhere in the cause chain. */
    static boolean stoppedByHost(Throwable error) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException
                    || t instanceof AbortedException) {
                return true;
            }
        }
        return false;
    }

    /** Carries a checked exception from a unit through the budget's {@code Supplier}. */
    static final class UnitFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnitFailure(Exception cause) {
            super(cause);
        }
    }
}
