package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.RelayGuardException.Guard;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;

/**
 * A ready worker handler: extend it, implement {@link #processUnit(RelayPacket)}, and point the
 * relay's event-source mapping at it.
 *
 * <pre>{@code
 * public final class ImportWorker extends RelayWorker {
 *     @Override
 *     protected boolean processUnit(RelayPacket pkt) {
 *         long offset = pkt.getLong("offset", 0);
 *         int n = importRows(offset, 500);
 *         pkt.put("offset", offset + n);
 *         return n == 500;          // true: more work remains
 *     }
 * }
 * }</pre>
 *
 * <p>For each record of the event it reads the packet, runs units while the {@link TimeBudget}
 * says there is time, then passes the packet to the next invocation or, when
 * {@code processUnit} returns {@code false}, finishes: a chain calls {@link #onComplete} and tears
 * the relay down; a part of a fan-out records itself in the ledger, and the last part to finish
 * runs {@link #onComplete} and the tear-down, exactly once.
 *
 * <p>What else it does for you:
 * <ul>
 *   <li><b>Failures</b>: a record that fails (invalid packet, an exception from a unit, a failed
 *       pass) is reported in the {@link SQSBatchResponse} without failing the others; SQS
 *       redelivers it from the last hand-off. Units since the last hand-off may therefore run
 *       again: make them idempotent. On the last attempt ({@code maxReceiveCount}) the worker moves
 *       the packet, unchanged, to the dead-letter queue with the exception's type as a message
 *       attribute; a chain is then ended ({@link #onRelayFailed}, tear-down keeping the
 *       dead-letter queue), a part counts as failed in the ledger. Should that move fail, the
 *       queue's redrive policy moves the packet instead.</li>
 *   <li><b>Forks</b>: with a ledger ({@link Relay.Builder#ledger}), each hop is claimed first; a
 *       second message for a claimed hop is acknowledged without work.</li>
 *   <li><b>Guards</b>: past the relay's deadline, its hop limit, or too many hops without a
 *       completed unit, the relay is ended: {@link #onRelayFailed} is called and it is torn down
 *       (a dead-letter queue holding messages is kept).</li>
 *   <li><b>Rate limit</b>: with {@link RelaySetup.Builder#rateLimit}, each part paces its units at
 *       its share of the limit, across hand-offs too; waiting counts against the budget.</li>
 *   <li><b>Throttling</b>: a unit that throws {@link RelayThrottledException} is undone and the
 *       packet handed on with exponential back-off and jitter, keeping earlier progress.</li>
 *   <li><b>Long delays</b>: a packet passed with a delay over 15 minutes is passed on until due.</li>
 * </ul>
 *
 * <p>Lambda calls one handler instance from one thread at a time; the class keeps no
 * per-invocation state in fields.
 */
public abstract class RelayWorker implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(RelayWorker.class);
    private static final Duration MAX_BACKOFF = Relay.MAX_SQS_DELAY;

    private final Relay relay;
    private final SplittableRandom jitter = new SplittableRandom();

    /** Creates a worker with {@link Relay#create()}: SDK clients from the Lambda environment. */
    protected RelayWorker() {
        this(Relay.create());
    }

    /**
     * Creates a worker on a given relay, for tests, custom clients or a ledger.
     *
     * @param relay the relay
     */
    protected RelayWorker(Relay relay) {
        this.relay = Objects.requireNonNull(relay, "relay");
    }

    /**
     * Does one small unit of work and records its progress in the packet.
     *
     * @param pkt the packet; change it to record progress
     * @return {@code true} if work remains, {@code false} when this chain or part is done
     * @throws RelayThrottledException when a downstream service throttles: the unit is undone and
     *     retried after a back-off
     * @throws Exception to fail this record; it is redelivered from the last hand-off
     */
    protected abstract boolean processUnit(RelayPacket pkt) throws Exception;

    /**
     * Called once the whole job is done (for a fan-out: once, by the worker that finished the last
     * part), before the relay is torn down. Default: nothing.
     *
     * @param pkt the final packet (for a fan-out, the last part's)
     * @param context the invocation's context
     * @throws Exception to fail the record; it is redelivered
     */
    protected void onComplete(RelayPacket pkt, Context context) throws Exception {
    }

    /**
     * Called when a part of a fan-out finished, before the completion check. Default: nothing.
     *
     * @param pkt the part's final packet
     * @param context the invocation's context
     * @throws Exception to fail the record; it is redelivered
     */
    protected void onPartComplete(RelayPacket pkt, Context context) throws Exception {
    }

    /**
     * Called when the worker ends the relay because a guard tripped or too many parts failed,
     * before the relay is torn down. Default: nothing (the reason is logged).
     *
     * @param pkt the packet that tripped the guard
     * @param reason the guard and its figures
     * @param context the invocation's context
     */
    protected void onRelayFailed(RelayPacket pkt, RelayGuardException reason, Context context) {
    }

    /**
     * Called when a record fails, before it is reported as a batch item failure. Default: nothing.
     *
     * @param message the failed record
     * @param pkt its packet, or {@code null} if it could not be read
     * @param error what went wrong
     * @param context the invocation's context
     */
    protected void onFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
    }

    /**
     * Creates the budget for one packet. Override to change the reserve or safety factor.
     *
     * @param context the invocation's context
     * @param unitHint the longest unit of earlier invocations, {@link Duration#ZERO} if none
     * @return a budget
     */
    protected TimeBudget newBudget(Context context, Duration unitHint) {
        return TimeBudget.builder().context(context).unitHint(unitHint).build();
    }

    /**
     * Waits before a paced unit. Override in tests to move a fake clock instead.
     *
     * @param millis how long to wait
     * @throws InterruptedException if the invocation is interrupted
     */
    protected void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /**
     * Returns the delay before a throttled packet runs again: exponential in the throttles in a row
     * (1 s, 2 s, 4 s ... at most 15 minutes) with jitter between half and all of it.
     *
     * @param throttles consecutive throttles, 1 for the first
     * @return the delay
     */
    protected Duration throttleDelay(int throttles) {
        long capMs = MAX_BACKOFF.toMillis();
        long ms = Math.min(capMs, 1_000L << Math.min(20, Math.max(0, throttles - 1)));
        return Duration.ofMillis(ms / 2 + jitter.nextLong(ms / 2 + 1));
    }

    /**
     * Returns the relay this worker passes and tears down with.
     *
     * @return the relay
     */
    protected final Relay relay() {
        return relay;
    }

    /**
     * Works on every record of the event and reports the ones that failed.
     *
     * @param event the SQS event from the relay's mapping
     * @param context the invocation's context
     * @return the batch item failures
     */
    @Override
    public final SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSMessage message : records) {
            RelayPacket pkt = null;
            try {
                pkt = relay.getRelayPkt(message);
                handle(pkt, message, context);
            } catch (Exception e) {
                Exception error = e instanceof UnitFailure ? (Exception) e.getCause() : e;
                boolean deadLettered = pkt != null && isFinalAttempt(pkt, message)
                        && relay.deadLetter(pkt, message.getBody(), error, receiveCount(message));
                if (!deadLettered) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                    if (stoppedByHost(error)) {
                        // Only the host interrupts a handler, to end an invocation that ran out of
                        // time: Lambda itself runs no more code then, so this is no failure to report.
                        LOG.debug("relay {}: message {} at hop {} interrupted ({}): the invocation is being "
                                + "stopped; it will be redelivered", pkt == null ? null : pkt.relayId(),
                                message.getMessageId(), pkt == null ? null : pkt.hop(), error.getClass().getName());
                    } else {
                        LOG.warn("relay {}: message {} failed at hop {} (receive {}) with {}; it will be redelivered",
                                pkt == null ? null : pkt.relayId(), message.getMessageId(),
                                pkt == null ? null : pkt.hop(), receiveCount(message), error.getClass().getName());
                    }
                }
                try {
                    onFailure(message, pkt, error, context);
                } catch (RuntimeException hookFailure) {
                    LOG.warn("relay {}: onFailure hook threw {}", pkt == null ? null : pkt.relayId(),
                            hookFailure.getClass().getName());
                }
                if (deadLettered) {
                    afterDeadLetter(pkt, message, context);
                }
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** An interrupt, or an SDK call or I/O it aborted, anywhere in the cause chain. */
    private static boolean stoppedByHost(Throwable error) {
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

    private void handle(RelayPacket pkt, SQSMessage message, Context context) throws Exception {
        RelayLedger ledger = relay.ledger().orElse(null);
        if (ledger != null && pkt.relayId() != null) {
            RelayLedger.Claim claim = ledger.claimHop(pkt.relayId(), pkt.part(), pkt.hop(), message.getMessageId());
            if (claim == RelayLedger.Claim.FORK) {
                LOG.info("relay {}: message {} repeats part {} hop {}, which another message claimed; dropped as a fork",
                        pkt.relayId(), message.getMessageId(), pkt.part(), pkt.hop());
                return;
            }
        }
        Instant now = relay.clock().instant();
        Instant deadline = pkt.deadline().orElse(null);
        if (deadline != null && now.isAfter(deadline)) {
            endRelay(pkt, new RelayGuardException(Guard.DEADLINE, pkt.relayId(), "relay " + pkt.relayId()
                    + " passed its deadline " + deadline + " at hop " + pkt.hop()), context);
            return;
        }
        if (pkt.statLong(RelayPacket.WATCHDOG, 0) > 0) {
            watch(pkt, context);
            return;
        }
        if (relay.deferIfNotDue(pkt)) {
            return;
        }
        long maxHops = pkt.statLong(RelayPacket.MAX_HOPS, 0);
        if (maxHops > 0 && pkt.hop() > maxHops) {
            endRelay(pkt, new RelayGuardException(Guard.MAX_HOPS, pkt.relayId(), "relay " + pkt.relayId() + " part "
                    + pkt.part() + " reached hop " + pkt.hop() + ", over its limit of " + maxHops), context);
            return;
        }
        work(pkt, message.getMessageId(), context, ledger);
    }

    private void work(RelayPacket pkt, String messageId, Context context, RelayLedger ledger) throws Exception {
        TimeBudget budget = newBudget(context, Duration.ofMillis(pkt.statLong(RelayPacket.UNIT_MS, 0)));
        long intervalMs = paceIntervalMillis(pkt);
        boolean more = true;
        boolean throttled = false;
        while (more) {
            // The first unit of an invocation also waits a whole interval: another part may have
            // used this concurrency slot a moment ago, and its pace mark is not in this packet.
            long waitMs = intervalMs == 0 ? 0 : Math.max(budget.unitsCompleted() == 0 ? intervalMs : 0,
                    pkt.statLong(RelayPacket.PACE_AT, 0) - relay.clock().millis());
            if (!budget.hasTimeForAnother(waitMs)) {
                break;
            }
            if (waitMs > 0) {
                pause(waitMs);
            }
            if (intervalMs > 0) {
                pkt.stat(RelayPacket.PACE_AT, relay.clock().millis() + intervalMs);
            }
            RelayPacket before = pkt.copy();
            try {
                more = budget.measure(() -> runUnit(pkt));
            } catch (RelayThrottledException e) {
                pkt.restoreFrom(before);
                if (intervalMs > 0) {
                    pkt.stat(RelayPacket.PACE_AT, relay.clock().millis() + intervalMs);
                }
                throttled = true;
                break;
            }
            pkt.clearStat(RelayPacket.THROTTLES);
        }
        int units = budget.unitsCompleted();
        if (ledger != null && pkt.relayId() != null && units > 0) {
            ledger.addUnits(pkt.relayId(), units);
        }
        if (throttled) {
            int throttles = (int) pkt.statLong(RelayPacket.THROTTLES, 0) + 1;
            pkt.stat(RelayPacket.THROTTLES, throttles);
            pkt.stat(RelayPacket.UNIT_MS, unitHint(budget));
            Duration delay = throttleDelay(throttles);
            LOG.info("relay {}: part {} throttled ({} in a row) after {} unit(s); passed on with {} ms back-off",
                    pkt.relayId(), pkt.part(), throttles, units, delay.toMillis());
            relay.relayPass(pkt, delay);
            return;
        }
        if (more) {
            long idle = units == 0 ? pkt.statLong(RelayPacket.IDLE_HOPS, 0) + 1 : 0;
            long maxIdle = pkt.statLong(RelayPacket.MAX_IDLE_HOPS, 0);
            if (maxIdle > 0 && idle > maxIdle) {
                endRelay(pkt, new RelayGuardException(Guard.NO_PROGRESS, pkt.relayId(), "relay " + pkt.relayId()
                        + " part " + pkt.part() + " completed no unit in " + idle + " hops in a row (limit "
                        + maxIdle + "); is the worker's timeout too short for one unit?"), context);
                return;
            }
            if (idle == 0) {
                pkt.clearStat(RelayPacket.IDLE_HOPS);
            } else {
                pkt.stat(RelayPacket.IDLE_HOPS, idle);
            }
            pkt.stat(RelayPacket.UNIT_MS, unitHint(budget));
            relay.relayPass(pkt);
        } else {
            finish(pkt, messageId, context, ledger);
        }
        LOG.debug("relay {}: part {} hop {} ran {} unit(s) in {} ms, {}", pkt.relayId(), pkt.part(), pkt.hop(), units,
                budget.spentMillis(), more ? "passed on" : "finished");
    }

    private void finish(RelayPacket pkt, String messageId, Context context, RelayLedger ledger) throws Exception {
        if (pkt.partCount() <= 1) {
            onComplete(pkt, context);
            relay.tearDown(pkt);
            return;
        }
        onPartComplete(pkt, context);
        if (ledger == null || pkt.relayId() == null) {
            return; // the drain watchdog completes a fan-out without a ledger
        }
        completeIfLast(pkt, messageId, context, ledger, ledger.finishPart(pkt.relayId(), pkt.part(), false));
    }

    private void completeIfLast(RelayPacket pkt, String messageId, Context context, RelayLedger ledger, PartTally tally)
            throws Exception {
        long tolerated = pkt.statLong(RelayPacket.TOLERATED, 0);
        if (tally.failed() > tolerated) {
            if (ledger.markComplete(pkt.relayId(), messageId)) {
                RelayGuardException reason = new RelayGuardException(Guard.TOO_MANY_FAILED_PARTS, pkt.relayId(),
                        "relay " + pkt.relayId() + ": " + tally.failed() + " of " + pkt.partCount()
                                + " parts failed, more than the " + tolerated + " tolerated");
                endRelay(pkt, reason, context);
            }
            return;
        }
        if (tally.finished() >= pkt.partCount() && ledger.markComplete(pkt.relayId(), messageId)) {
            LOG.info("relay {}: all {} parts finished ({} failed, tolerated {}); completing", pkt.relayId(),
                    pkt.partCount(), tally.failed(), tolerated);
            onComplete(pkt, context);
            relay.tearDown(pkt);
        }
    }

    private static boolean isFinalAttempt(RelayPacket pkt, SQSMessage message) {
        long maxReceive = pkt.statLong(RelayPacket.MAX_RECEIVE, 0);
        return maxReceive > 0 && pkt.statLong(RelayPacket.WATCHDOG, 0) == 0 && receiveCount(message) >= maxReceive;
    }

    /**
     * After a packet's last attempt was moved to the dead-letter queue: a chain is over, so the
     * relay is ended; a part counts as failed, and fan-in may complete or fail the relay.
     */
    private void afterDeadLetter(RelayPacket pkt, SQSMessage message, Context context) {
        try {
            if (pkt.partCount() <= 1) {
                endRelay(pkt, new RelayGuardException(Guard.DEAD_LETTERED, pkt.relayId(), "relay " + pkt.relayId()
                        + " failed: its packet at hop " + pkt.hop() + " failed " + receiveCount(message)
                        + " time(s) and is in the dead-letter queue"), context);
                return;
            }
            RelayLedger ledger = relay.ledger().orElse(null);
            if (ledger == null || pkt.relayId() == null) {
                return; // the drain watchdog counts the dead-letter queue
            }
            PartTally tally = ledger.finishPart(pkt.relayId(), pkt.part(), true);
            completeIfLast(pkt, message.getMessageId(), context, ledger, tally);
        } catch (Exception e) {
            LOG.warn("relay {}: could not finish after dead-lettering part {}: {}", pkt.relayId(), pkt.part(),
                    e.getClass().getName());
        }
    }

    private void endRelay(RelayPacket pkt, RelayGuardException reason, Context context) {
        LOG.warn("relay {} ended by guard {}: {}", pkt.relayId(), reason.guard(), reason.getMessage());
        try {
            onRelayFailed(pkt, reason, context);
        } catch (RuntimeException hookFailure) {
            LOG.warn("relay {}: onRelayFailed hook threw {}", pkt.relayId(), hookFailure.getClass().getName());
        }
        relay.tearDown(pkt);
    }

    /** The drain watchdog of a fan-out without a ledger: see {@link Relay#startDrainWatchdog}. */
    private void watch(RelayPacket dog, Context context) throws Exception {
        RelayProgress progress = relay.progress(dog);
        long others = Math.max(0, progress.queued().orElse(0) - 1); // the watchdog's own message is in flight
        long now = relay.clock().millis();
        if (others > 0) {
            dog.clearStat(RelayPacket.EMPTY_SINCE);
            relay.relayPass(dog, Relay.WATCHDOG_PERIOD);
            return;
        }
        long emptySince = dog.statLong(RelayPacket.EMPTY_SINCE, 0);
        if (emptySince == 0 || now - emptySince < Relay.WATCHDOG_PERIOD.toMillis()) {
            if (emptySince == 0) {
                dog.stat(RelayPacket.EMPTY_SINCE, now);
            }
            relay.relayPass(dog, Relay.WATCHDOG_PERIOD);
            return;
        }
        long failed = progress.deadLettered().orElse(0);
        long tolerated = dog.statLong(RelayPacket.TOLERATED, 0);
        if (failed > tolerated) {
            endRelay(dog, new RelayGuardException(Guard.TOO_MANY_FAILED_PARTS, dog.relayId(), "relay " + dog.relayId()
                    + ": about " + failed + " of " + dog.partCount() + " parts are in the dead-letter queue, more than the "
                    + tolerated + " tolerated"), context);
            return;
        }
        LOG.info("relay {}: queue stayed empty for {} ms; completing {} parts (watchdog)", dog.relayId(),
                now - emptySince, dog.partCount());
        onComplete(dog, context);
        relay.tearDown(dog);
    }

    /** This invocation's longest unit; the incoming hint only if no unit ran, so a slow unit is not carried forever. */
    private static long unitHint(TimeBudget budget) {
        return budget.unitsCompleted() > 0 ? budget.longestMeasuredMillis() : budget.longestUnitMillis();
    }

    private static long paceIntervalMillis(RelayPacket pkt) {
        double rate = pkt.statDouble(RelayPacket.RATE, 0);
        if (rate <= 0) {
            return 0;
        }
        long concurrency = pkt.statLong(RelayPacket.CONCURRENCY, 0);
        long running = concurrency > 0 ? Math.min(concurrency, pkt.partCount()) : pkt.partCount();
        return (long) Math.ceil(1000.0 * running / rate);
    }

    private static long receiveCount(SQSMessage message) {
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
            return processUnit(pkt);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UnitFailure(e);
        }
    }

    /** Carries a checked exception from a unit through the budget's {@code Supplier}. */
    private static final class UnitFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnitFailure(Exception cause) {
            super(cause);
        }
    }
}
