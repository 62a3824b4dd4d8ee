package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.ledger.PartTally;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record's hop, top to bottom: claim it, check the guards, run units while the budget
 * allows (paced, with throttling undone), then pass the packet on or finish. Runs the user's code
 * through the {@link RelayWorker}'s hooks. Thread-safe as far as its worker is.
 */
final class HopRunner {
    private static final Logger LOG = LoggerFactory.getLogger(HopRunner.class);

    private final Relay relay;
    private final RelayWorker worker;
    private final Wiring wiring;
    private final FanIn fanIn;

    HopRunner(Relay relay, RelayWorker worker) {
        this.relay = relay;
        this.worker = worker;
        this.wiring = relay.wiring();
        this.fanIn = wiring.fanIn();
    }

    void run(RelayPacket pkt, SQSMessage message, Context context) throws Exception {
        if (!fanIn.claim(pkt, message.getMessageId())) {
            return;
        }
        RelayFailure expired = Guards.deadline(pkt, wiring.clock().instant());
        if (expired != null) {
            end(pkt, expired, context);
            return;
        }
        if (pkt.hopState().kind() == HopState.Kind.WATCHDOG) {
            watch(pkt, context);
            return;
        }
        if (wiring.sender().deferIfNotDue(pkt)) {
            return;
        }
        RelayFailure tooFar = Guards.maxHops(pkt);
        if (tooFar != null) {
            end(pkt, tooFar, context);
            return;
        }
        work(pkt, message.getMessageId(), context);
    }

    private void work(RelayPacket pkt, String messageId, Context context) throws Exception {
        TimeBudget budget = worker.newBudget(context, Duration.ofMillis(pkt.hopState().unitMs()));
        long intervalMs = paceIntervalMillis(pkt);
        boolean more = true;
        boolean throttled = false;
        while (more) {
            // The first unit of an invocation also waits a whole interval: another part may have
            // used this concurrency slot a moment ago, and its pace mark is not in this packet.
            long waitMs = intervalMs == 0 ? 0 : Math.max(budget.unitsCompleted() == 0 ? intervalMs : 0,
                    pkt.hopState().paceAt() - wiring.clock().millis());
            if (!budget.hasTimeForAnother(waitMs)) {
                break;
            }
            if (waitMs > 0) {
                worker.pause(waitMs);
            }
            markPace(pkt, intervalMs);
            RelayPacket before = pkt.copy();
            try {
                more = budget.measure(() -> runUnit(pkt));
            } catch (RelayThrottledException e) {
                pkt.restoreFrom(before);
                markPace(pkt, intervalMs);
                throttled = true;
                break;
            }
            pkt.hopState(pkt.hopState().withThrottles(0));
        }
        int units = budget.unitsCompleted();
        fanIn.addUnits(pkt, units);
        if (throttled) {
            int throttles = pkt.hopState().throttles() + 1;
            pkt.hopState(pkt.hopState().withThrottles(throttles).withUnitMs(unitHint(budget)));
            Duration delay = worker.throttleDelay(throttles);
            LOG.info("relay {}: part {} throttled ({} in a row) after {} unit(s); passed on with {} ms back-off",
                    pkt.relayId(), pkt.part(), throttles, units, delay.toMillis());
            wiring.sender().pass(pkt, delay);
            return;
        }
        if (more) {
            long idle = units == 0 ? pkt.hopState().idleHops() + 1 : 0;
            RelayFailure stuck = Guards.noProgress(pkt, idle);
            if (stuck != null) {
                end(pkt, stuck, context);
                return;
            }
            pkt.hopState(pkt.hopState().withIdleHops(idle).withUnitMs(unitHint(budget)));
            wiring.sender().pass(pkt, Duration.ZERO);
        } else {
            finish(pkt, messageId, context);
        }
        LOG.debug("relay {}: part {} hop {} ran {} unit(s) in {} ms, {}", pkt.relayId(), pkt.part(), pkt.hop(), units,
                budget.spentMillis(), more ? "passed on" : "finished");
    }

    private void markPace(RelayPacket pkt, long intervalMs) {
        if (intervalMs > 0) {
            pkt.hopState(pkt.hopState().withPaceAt(wiring.clock().millis() + intervalMs));
        }
    }

    private void finish(RelayPacket pkt, String messageId, Context context) throws Exception {
        if (!pkt.header().isPart()) {
            worker.onComplete(pkt, context);
            relay.tearDown(pkt);
            return;
        }
        worker.onPartComplete(pkt, context);
        completeIfLast(pkt, messageId, context, fanIn.finishPart(pkt, false));
    }

    /** With a tally: fails the relay past its tolerated failures, or completes it after its last part, once. */
    private void completeIfLast(RelayPacket pkt, String messageId, Context context, PartTally tally) throws Exception {
        if (tally == null) {
            return; // no ledger: the drain watchdog completes the fan-out
        }
        RelayFailure failed = Guards.tooManyFailedParts(pkt, tally);
        if (failed != null) {
            if (fanIn.markComplete(pkt, messageId)) {
                end(pkt, failed, context);
            }
            return;
        }
        if (tally.finished() >= pkt.partCount() && fanIn.markComplete(pkt, messageId)) {
            LOG.info("relay {}: all {} parts finished ({} failed, tolerated {}); completing", pkt.relayId(),
                    pkt.partCount(), tally.failed(), pkt.policy().toleratedFailures());
            worker.onComplete(pkt, context);
            relay.tearDown(pkt);
        }
    }

    /** Whether this receive is the packet's last before the queue's redrive policy would move it. */
    boolean isFinalAttempt(RelayPacket pkt, SQSMessage message) {
        long maxReceive = pkt.policy().maxReceive();
        return maxReceive > 0 && pkt.hopState().kind() == HopState.Kind.WORK && receiveCount(message) >= maxReceive;
    }

    /** After a packet's last attempt went to the dead-letter queue: a chain is over, a part counts as failed. */
    void afterDeadLetter(RelayPacket pkt, SQSMessage message, Context context) {
        try {
            if (!pkt.header().isPart()) {
                end(pkt, Guards.deadLettered(pkt, receiveCount(message)), context);
                return;
            }
            completeIfLast(pkt, message.getMessageId(), context, fanIn.finishPart(pkt, true));
        } catch (Exception e) {
            LOG.warn("relay {}: could not finish after dead-lettering part {}: {}", pkt.relayId(), pkt.part(),
                    e.getClass().getName());
        }
    }

    private void end(RelayPacket pkt, RelayFailure failure, Context context) {
        LOG.warn("relay {} ended ({}): {}", pkt.relayId(), failure.reason(), failure.message());
        try {
            worker.onRelayFailed(pkt, failure, context);
        } catch (RuntimeException hookFailure) {
            LOG.warn("relay {}: onRelayFailed hook threw {}", pkt.relayId(), hookFailure.getClass().getName());
        }
        relay.tearDown(pkt);
    }

    private void watch(RelayPacket dog, Context context) throws Exception {
        DrainWatchdog.Verdict v = wiring.watchdog().watch(dog);
        if (v.failure() != null) {
            end(dog, v.failure(), context);
        } else if (v.complete()) {
            worker.onComplete(dog, context);
            relay.tearDown(dog);
        }
    }

    /** This invocation's longest unit; the incoming hint only if no unit ran, so a slow unit is not carried forever. */
    private static long unitHint(TimeBudget budget) {
        return budget.unitsCompleted() > 0 ? budget.longestMeasuredMillis() : budget.longestUnitMillis();
    }

    /** Each running part's share of the relay's rate, as the interval between its units. */
    private static long paceIntervalMillis(RelayPacket pkt) {
        double rate = pkt.policy().rate();
        if (rate <= 0) {
            return 0;
        }
        int concurrency = pkt.policy().concurrency();
        long running = concurrency > 0 ? Math.min(concurrency, pkt.partCount()) : pkt.partCount();
        return (long) Math.ceil(1000.0 * running / rate);
    }

    static long receiveCount(SQSMessage message) {
        if (message.getAttributes() == null) {
            return 0;
        }
        try {
            return Long.parseLong(message.getAttributes().getOrDefault("ApproximateReceiveCount", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private boolean runUnit(RelayPacket pkt) {
        try {
            return worker.processUnit(pkt);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UnitFailure(e);
        }
    }

    /** Carries a checked exception from a unit through the budget's {@code Supplier}. */
    static final class UnitFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnitFailure(Exception cause) {
            super(cause);
        }
    }
}
