package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.internal.PacketCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one worker invocation carries from record to record of its batch: the context, which
 * record it is on, the longest unit it has measured (so a later record knows what a unit takes
 * before it starts one), its {@link Deadline}, and the figures it reports to the relay's
 * {@link RelayMetricsListener} once, at its end. Lives in a local of
 * {@link RelayWorker#handleRequest}, never in a field. The handler's thread runs it; the figures
 * are also read by the deadline hand-off's thread, so their methods are synchronized.
 */
final class Invocation {
    /** The lease of an invocation without a context (outside Lambda): Lambda's longest timeout. */
    static final Duration NO_CONTEXT_LEASE = Duration.ofMinutes(15);
    /** The function name reported without a context. */
    static final String UNKNOWN_FUNCTION = "unknown";

    private final Context context;
    private final Deadline deadline;
    private final Clock clock;
    private final MetricsReporter metrics;
    private final int recordCount;
    private final long startMillis;
    private final long startRemainingMillis;
    private int records;
    private long longestUnitMs;
    /** SQS requests of the mapping's receive and delete of this batch. */
    private final long batchSqsRequests;

    // Guarded by this: what the records handled so far were charged.
    private int chargedRecord;
    private boolean requestCharged;
    private long markMillis;

    // Guarded by this: the figures for the metrics listener.
    private int failedRecords;
    private long units;
    private int throttles;
    private long latencyMillis = -1;
    private long leftAtPassMillis = -1;
    private boolean reported;

    Invocation(Context context, Deadline deadline, Wiring wiring, List<SQSMessage> batch) {
        this.context = context;
        this.deadline = deadline;
        this.clock = wiring.clock();
        this.metrics = wiring.metrics();
        this.recordCount = batch.size();
        this.startMillis = clock.millis();
        this.startRemainingMillis = context == null ? 0 : context.getRemainingTimeInMillis();
        this.markMillis = elapsedMillis();
        long bytes = 0;
        for (SQSMessage m : batch) {
            bytes += m.getBody() == null ? 0 : PacketCodec.utf8Length(m.getBody());
        }
        // One ReceiveMessage (billed by the payload it returns) and one DeleteMessageBatch.
        this.batchSqsRequests = RelayCost.sqsRequests(bytes) + 1;
    }

    /** Milliseconds since the invocation started: by the context's remaining time, else by the clock. */
    private long elapsedMillis() {
        return context == null ? clock.millis() - startMillis
                : startRemainingMillis - context.getRemainingTimeInMillis();
    }

    /**
     * Adds the current record's share of the invocation to its packet's cost, once per record: a
     * hop; the invocation's request and the mapping's receive and delete, if no earlier record took
     * them; and the memory size times the time since the previous record's share (or the start).
     * Called just before the record's packet is passed on or its relay or part ends.
     */
    synchronized void charge(RelayPacket pkt) {
        if (chargedRecord == records) {
            return;
        }
        chargedRecord = records;
        long now = elapsedMillis();
        long ms = Math.max(0, now - markMillis);
        markMillis = now;
        long memoryMb = context == null ? 0 : Math.max(0, context.getMemoryLimitInMB());
        boolean first = !requestCharged;
        requestCharged = true;
        pkt.addCost(new RelayCost(1, first ? 1 : 0, memoryMb * ms, first ? batchSqsRequests : 0, 0, 0));
    }

    Context context() {
        return context;
    }

    /** The invocation's deadline hand-off. */
    Deadline deadline() {
        return deadline;
    }

    /** Moves on to the next record. */
    synchronized void nextRecord() {
        records++;
    }

    /** Whether the current record is the invocation's first: it has the whole invocation's time. */
    boolean firstRecord() {
        return records <= 1;
    }

    /** The longest unit measured by earlier records of this invocation, 0 if none. */
    long longestUnitMs() {
        return longestUnitMs;
    }

    void sawUnit(long ms) {
        longestUnitMs = Math.max(longestUnitMs, ms);
    }

    /** How long this invocation can still run: the lease of anything it claims until it ends. */
    Duration lease() {
        return context == null ? NO_CONTEXT_LEASE : Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
    }

    /**
     * A packet's hop starts: how long it waited since SQS accepted its message, unless the relay
     * delayed it on purpose (a throttle back-off, a delay over SQS's 15 minutes, the watchdog).
     */
    synchronized void hopStarts(RelayPacket pkt, SQSMessage message) {
        HopState s = pkt.hopState();
        long sent = HopRunner.attribute(message, "SentTimestamp");
        if (s.kind() != HopState.Kind.WORK || s.throttles() > 0 || pkt.header().notBefore() != null || sent <= 0) {
            return;
        }
        latencyMillis = Math.max(latencyMillis, Math.max(0, clock.millis() - sent));
    }

    /** A unit threw {@link RelayThrottledException}. */
    synchronized void throttled() {
        throttles++;
    }

    /** A record's units were kept: it passed its packet on or finished. */
    synchronized void unitsKept(long n) {
        units += n;
    }

    /** A packet was passed on after work: what is left of the invocation then. */
    synchronized void passedOn() {
        if (context != null) {
            leftAtPassMillis = Math.max(0, context.getRemainingTimeInMillis());
        }
    }

    /** The current record was handled: {@code true} if acknowledged, {@code false} if a batch item failure. */
    void recordEnds(boolean ack) {
        synchronized (this) {
            failedRecords += ack ? 0 : 1;
        }
        deadline.recordEnds(ack);
    }

    /**
     * Gives the relay's metrics listener this invocation's figures, once: at the end of the
     * handler, or right after a deadline hand-off (whose unit may never return).
     */
    void report() {
        RelayMetrics m;
        synchronized (this) {
            if (reported) {
                return;
            }
            reported = true;
            m = figures();
        }
        metrics.report(m);
    }

    private RelayMetrics figures() {
        Deadline.HandOff handOff = deadline.handOff();
        long used;
        OptionalDouble share = OptionalDouble.empty();
        if (context == null) {
            used = Math.max(0, clock.millis() - startMillis);
        } else {
            used = Math.max(0, startRemainingMillis - context.getRemainingTimeInMillis());
            if (startRemainingMillis > 0) {
                share = OptionalDouble.of((double) used / startRemainingMillis);
            }
        }
        long left = handOff != null ? handOff.leftMillis() : leftAtPassMillis;
        String function = context == null || context.getFunctionName() == null ? UNKNOWN_FUNCTION
                : context.getFunctionName();
        return new RelayMetrics(clock.instant(), function, recordCount, failedRecords,
                units + (handOff == null ? 0 : handOff.units()), optional(latencyMillis), used, share,
                optional(left), handOff == null ? 0 : 1, throttles);
    }

    private static OptionalLong optional(long millis) {
        return millis < 0 ? OptionalLong.empty() : OptionalLong.of(millis);
    }
}
