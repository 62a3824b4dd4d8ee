package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
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
 * says there is time, then passes the packet to the next invocation, or, when
 * {@code processUnit} returns {@code false}, calls {@link #onComplete} and tears the relay down. A
 * record that fails (invalid packet, an exception from a unit, a failed pass) is reported in the
 * {@link SQSBatchResponse} without failing the others; SQS redelivers it from the last hand-off,
 * and after {@code maxReceiveCount} it lands in the dead-letter queue. Units since the last
 * hand-off may therefore run again: make them idempotent.
 *
 * <p>The longest unit seen is carried in the packet, so the next invocation's budget knows it
 * from its first unit. Thread-safe as long as the subclass is: Lambda calls one handler instance
 * from one thread at a time.
 */
public abstract class RelayWorker implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(RelayWorker.class);

    private final Relay relay;

    /** Creates a worker with {@link Relay#create()}: SDK clients from the Lambda environment. */
    protected RelayWorker() {
        this(Relay.create());
    }

    /**
     * Creates a worker on a given relay, for tests and custom clients.
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
     * @return {@code true} if work remains, {@code false} when the job is done
     * @throws Exception to fail this record; it is redelivered from the last hand-off
     */
    protected abstract boolean processUnit(RelayPacket pkt) throws Exception;

    /**
     * Called once the job is done, before the relay is torn down. Default: nothing.
     *
     * @param pkt the final packet
     * @param context the invocation's context
     * @throws Exception to fail the record; it is redelivered and the last unit runs again
     */
    protected void onComplete(RelayPacket pkt, Context context) throws Exception {
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
                work(pkt, context);
            } catch (Exception e) {
                Exception error = e instanceof UnitFailure ? (Exception) e.getCause() : e;
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                LOG.warn("relay {}: message {} failed at hop {} with {}; it will be redelivered",
                        pkt == null ? null : pkt.relayId(), message.getMessageId(), pkt == null ? null : pkt.hop(),
                        error.getClass().getName());
                try {
                    onFailure(message, pkt, error, context);
                } catch (RuntimeException hookFailure) {
                    LOG.warn("relay {}: onFailure hook threw {}", pkt == null ? null : pkt.relayId(),
                            hookFailure.getClass().getName());
                }
            }
        }
        return new SQSBatchResponse(failures);
    }

    private void work(RelayPacket pkt, Context context) throws Exception {
        if (relay.deferIfNotDue(pkt)) {
            return;
        }
        TimeBudget budget = newBudget(context, Duration.ofMillis(pkt.statLong(RelayPacket.UNIT_MS, 0)));
        boolean more = true;
        while (more && budget.hasTimeForAnother()) {
            more = budget.measure(() -> runUnit(pkt));
        }
        if (more) {
            pkt.stat(RelayPacket.UNIT_MS, budget.longestUnitMillis());
            relay.relayPass(pkt);
        } else {
            onComplete(pkt, context);
            relay.tearDown(pkt);
        }
        LOG.debug("relay {}: hop {} ran {} unit(s) in {} ms, {}", pkt.relayId(), pkt.hop(), budget.unitsCompleted(),
                budget.spentMillis(), more ? "passed on" : "done");
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
