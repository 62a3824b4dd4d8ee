package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *       attribute; a chain then parks ({@link #onRelayParked}: mapping disabled, queues kept,
 *       until it is resumed after a fix), and a part counts as failed, the relay parking past
 *       its tolerated failures. Should that move fail, the queue's redrive policy moves the
 *       packet instead.</li>
 *   <li><b>Forks</b>: with a ledger ({@link Relay.Builder#ledger}), each hop is claimed first; a
 *       second message for a claimed hop is acknowledged without work.</li>
 *   <li><b>Guards</b>: past the relay's deadline, its hop limit, or too many hops without a
 *       completed unit, the relay is ended: {@link #onRelayFailed} is called and it is torn down
 *       (a dead-letter queue holding messages is kept).</li>
 *   <li><b>Rate limit</b>: with {@link RelaySetup.Builder#rateLimit}, each part paces its units at
 *       its share of the limit on an absolute schedule, across hand-offs too; waiting counts
 *       against the budget. With {@link RelaySetup.Builder#adaptiveRate} the share is found from
 *       throttles instead, and a throttled unit is made again at once at a lower pace.</li>
 *   <li><b>Throttling</b>: a unit that throws {@link RelayThrottledException} is undone and the
 *       packet handed on with exponential back-off and jitter, keeping earlier progress.</li>
 *   <li><b>Long delays</b>: a packet passed with a delay over 15 minutes is passed on until due.</li>
 *   <li><b>Deadline hand-off</b>: a unit still running when the invocation is about to time out
 *       (half the budget's reserve before the end) is cut short: the packet is passed on as it
 *       was before that unit, the received message deleted, and the unit's thread interrupted.
 *       Only that unit runs again, in the next invocation, at once. Its late result, should it
 *       still come, is discarded. See {@link #handsOffAtDeadline()}.</li>
 *   <li><b>Logging context</b>: while a record is handled (units, hooks, the library's lines, the
 *       deadline hand-off's thread), the SLF4J MDC holds its relay id, part and hop under
 *       {@link #MDC_RELAY_ID}, {@link #MDC_RELAY_PART} and {@link #MDC_RELAY_HOP}; then what it held
 *       before. Never packet contents.</li>
 *   <li><b>Metrics</b>: once per invocation, to the listener of {@link Relay.Builder#metrics}.</li>
 * </ul>
 *
 * <p>Lambda calls one handler instance from one thread at a time; the class keeps no
 * per-invocation state in fields.
 */
public abstract class RelayWorker implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /** The SLF4J MDC key of the relay id while a record is handled: {@value}. */
    public static final String MDC_RELAY_ID = "relayId";
    /** The SLF4J MDC key of the part (0 for a chain) while a record is handled: {@value}. */
    public static final String MDC_RELAY_PART = "relayPart";
    /** The SLF4J MDC key of the hop the packet arrived with while a record is handled: {@value}. */
    public static final String MDC_RELAY_HOP = "relayHop";

    private static final Logger LOG = LoggerFactory.getLogger(RelayWorker.class);
    private static final Duration MAX_BACKOFF = Relay.MAX_SQS_DELAY;

    private final Relay relay;
    private final HopRunner runner;
    private final CheckpointHook checkpointHook = new CheckpointHook();
    private final RecursionCheck recursionCheck = new RecursionCheck();

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
        this.runner = new HopRunner(relay, this);
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
     * Called when the relay parks ({@link RelaySetup.Builder#parkWhenDeadLettered}, on by
     * default): a chain's packet, or more parts than tolerated, ended in the dead-letter queue.
     * The relay has not ended: its mappings are disabled and its queues kept until it is resumed
     * ({@link RelayControl#resume}) or removed at its expiry. At least once (two parts parking at
     * the same moment each call it). Default: calls {@link #onRelayFailed}, so alerting written
     * for failures hears of it; override it if your {@code onRelayFailed} cleans up what a
     * resumed relay would still need.
     *
     * @param pkt the packet whose dead-lettering parked the relay
     * @param failure why, with the figures ({@link RelayFailure.Reason#DEAD_LETTERED} or
     *     {@link RelayFailure.Reason#TOO_MANY_FAILED_PARTS})
     * @param context the invocation's context
     */
    protected void onRelayParked(RelayPacket pkt, RelayFailure failure, Context context) {
        onRelayFailed(pkt, failure, context);
    }

    /**
     * Called when the worker ends the relay because a guard tripped or too many parts failed,
     * before the relay is torn down. Default: nothing (the reason is logged).
     *
     * @param pkt the packet that tripped the guard
     * @param failure why the relay ends, with the figures
     * @param context the invocation's context
     */
    protected void onRelayFailed(RelayPacket pkt, RelayFailure failure, Context context) {
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
     * Creates the budget for one packet. Override to change the reserve or the margin. The default
     * reserve is what this worker's hand-offs have cost (four times the slowest recent pass), at
     * least {@link TimeBudget#DEFAULT_RESERVE}; a unit still running at half of it before the end
     * of the invocation is cut short by the deadline hand-off.
     *
     * @param context the invocation's context
     * @param unitHint the longest unit of earlier invocations, {@link Duration#ZERO} if none
     * @return a budget
     */
    protected TimeBudget newBudget(Context context, Duration unitHint) {
        return TimeBudget.builder().context(context).unitHint(unitHint)
                .reserve(relay.wiring().sender().handOffCost().reserve()).build();
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
     * (1 s, 2 s, 4 s ... at most 15 minutes) with jitter between half and all of it, drawn at each
     * call from a new secure seed, so workers restored from one SnapStart snapshot back off apart.
     *
     * @param throttles consecutive throttles, 1 for the first
     * @return the delay
     */
    protected Duration throttleDelay(int throttles) {
        long capMs = MAX_BACKOFF.toMillis();
        long ms = Math.min(capMs, 1_000L << Math.min(20, Math.max(0, throttles - 1)));
        return Duration.ofMillis(relay.wiring().backOff().jittered(ms));
    }

    /**
     * For Lambda SnapStart: {@link Relay#prime()}, then reads a sample SQS event as
     * {@link #handleRequest} does, without a network call or {@link #processUnit}. Override it to
     * prime your own code too, calling {@code super.prime()}; keep connections and random or unique
     * values out of it, as a snapshot would hand them to every environment restored from it.
     */
    public void prime() {
        Priming.worker(relay, Priming.relay(relay).read());
    }

    /**
     * Registers {@link #prime()} to run just before a checkpoint (SnapStart's snapshot), as
     * {@link Relay#primeBeforeCheckpoint()} does for the relay. Call it in the handler's
     * constructor, which Lambda runs before the snapshot: {@code public ImportWorker() {
     * primeBeforeCheckpoint(); }}. The worker keeps the registration; later calls add none.
     *
     * @return {@code true} if registered (now or before), {@code false} if {@code org.crac} is not
     *     on the classpath
     */
    public final boolean primeBeforeCheckpoint() {
        return primeBeforeCheckpoint(null);
    }

    /** {@link #primeBeforeCheckpoint()} with an {@code org.crac.Context<Resource>} of a test's, or the global one for {@code null}. */
    final boolean primeBeforeCheckpoint(Object context) {
        return checkpointHook.register(this::prime, context);
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
        recursionCheck.once(context, relay.wiring().clients());
        Deadline deadline = new Deadline(context, records, relay::getRelayPkt, relay.wiring(), deadlineAlarm());
        Invocation inv = new Invocation(context, deadline, relay.wiring(), records);
        deadline.whenHandedOff(inv::report);
        deadline.chargeWith(inv::charge);
        try {
            for (int i = 0; i < records.size(); i++) {
                SQSMessage message = records.get(i);
                inv.nextRecord();
                deadline.recordStarts(i);
                int failedBefore = failures.size();
                try {
                    handle(message, inv, failures);
                } catch (Deadline.HandedOff e) {
                    // The deadline passed this record and the later ones on and deleted them.
                    break;
                }
                inv.recordEnds(failures.size() == failedBefore);
            }
        } finally {
            deadline.close();
        }
        inv.report();
        return new SQSBatchResponse(failures);
    }

    /**
     * Whether a unit still running when the invocation's time runs out is cut short by the
     * deadline hand-off (see the class javadoc and docs/guide.md). Default {@code true}. Return
     * {@code false} to let Lambda's timeout end such an invocation instead: then every unit since
     * the last hand-off is lost and runs again, and the packet comes back only after the queue's
     * visibility timeout (six times the worker's timeout).
     *
     * @return whether to hand off at the deadline
     */
    protected boolean handsOffAtDeadline() {
        return true;
    }

    /** What calls the deadline hand-off: a thread per invocation on Lambda's real time; tests fire it themselves. */
    Deadline.Alarm deadlineAlarm() {
        return handsOffAtDeadline() ? Deadline.REAL_TIME : deadline -> { };
    }

    private void handle(SQSMessage message, Invocation inv, List<SQSBatchResponse.BatchItemFailure> failures) {
        Context context = inv.context();
        RelayPacket pkt = null;
        LogContext log = new LogContext();
        try {
            pkt = relay.getRelayPkt(message);
            log.enter(pkt);
            inv.deadline().recordRead(pkt);
            runner.run(pkt, message, inv);
        } catch (Deadline.HandedOff e) {
            throw e;
        } catch (Ending.EndingElsewhere e) {
            failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
        } catch (InvalidPacketException e) {
            if (!runner.deadLetterInvalid(message, e)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
            callOnFailure(message, null, e, context);
        } catch (Exception e) {
            Exception error = e instanceof HopRunner.UnitFailure ? (Exception) e.getCause() : e;
            boolean deadLettered = pkt != null && runner.isFinalAttempt(pkt, message)
                    && relay.wiring().sender().deadLetter(pkt, message.getBody(), error,
                            HopRunner.receiveCount(message));
            if (!deadLettered) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                logFailure(pkt, message, error);
            }
            callOnFailure(message, pkt, error, context);
            if (deadLettered && !finishDeadLettered(pkt, message, inv)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        } finally {
            log.close();
        }
    }

    /** Ends a chain or counts a part after its packet was dead-lettered; {@code false} if that failed. */
    private boolean finishDeadLettered(RelayPacket pkt, SQSMessage message, Invocation inv) {
        try {
            runner.afterDeadLetter(pkt, message, inv);
            return true;
        } catch (Ending.EndingElsewhere e) {
            return false;
        } catch (Exception e) {
            LOG.warn("relay {}: part {} hop {} is in the dead-letter queue, but recording that failed ({}); the record "
                    + "comes back once more to record it", pkt.relayId(), pkt.part(), pkt.hop(),
                    e.getClass().getName());
            return false;
        }
    }

    private void callOnFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
        try {
            onFailure(message, pkt, error, context);
        } catch (RuntimeException hookFailure) {
            LOG.warn("relay {}: onFailure hook threw {}", pkt == null ? null : pkt.relayId(),
                    hookFailure.getClass().getName());
        }
    }

    private static void logFailure(RelayPacket pkt, SQSMessage message, Exception error) {
        String relayId = pkt == null ? null : pkt.relayId();
        Long hop = pkt == null ? null : pkt.hop();
        if (HopRunner.stoppedByHost(error)) {
            // Only the host interrupts a handler, to end an invocation that ran out of time: Lambda
            // itself runs no more code then, so this is no failure to report.
            LOG.debug("relay {}: message {} at hop {} interrupted ({}): the invocation is being stopped; it will be "
                    + "redelivered", relayId, message.getMessageId(), hop, error.getClass().getName());
        } else {
            LOG.warn("relay {}: message {} failed at hop {} (receive {}) with {}; it will be redelivered", relayId,
                    message.getMessageId(), hop, HopRunner.receiveCount(message), error.getClass().getName());
        }
    }
}
