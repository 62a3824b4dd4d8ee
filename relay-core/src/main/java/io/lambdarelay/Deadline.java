package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;

/**
 * The deadline hand-off of one invocation. When the invocation's time runs down to the hand-off
 * time while a unit is still running, Lambda would stop it: every unit since the last hand-off
 * would be lost, and SQS would deliver the packet again only after the visibility timeout. So at
 * that moment this hands every record of the batch on as of its own last completed unit and
 * deletes the received messages, and the running unit is the only work that runs again.
 *
 * <p>What it does at the deadline, in this order (a pass before its delete, so nothing is lost if
 * either fails):
 * <ul>
 *   <li>the running record: its snapshot from before the unit is passed on as the next hop (its
 *       unit hint is how long the running unit has taken so far; an invocation that completed no
 *       unit counts an idle hop), then its message is deleted;</li>
 *   <li>records not started yet: passed on untouched (a long delay keeps its due time), then
 *       deleted;</li>
 *   <li>records already handled and acknowledged: deleted, as Lambda would have on a normal
 *       return (after a timeout it would deliver them again).</li>
 * </ul>
 * Then the handler's thread is interrupted, so a unit that honours interrupts lets the invocation
 * end before its timeout.
 *
 * <p><b>Never a fork.</b> The running unit and the hand-off race for one state: the unit's end
 * ({@link #unitEnds()}) and the hand-off ({@link #fire()}) each take it from {@code RUNNING}
 * under the same lock, and only the winner passes the packet on. A unit that completes while the
 * hand-off is under way waits for it and is discarded.
 *
 * <p>Thread-safe: the handler's thread calls the record and unit methods, the alarm's thread calls
 * {@link #fire()}.
 */
final class Deadline {
    private static final Logger LOG = LoggerFactory.getLogger(Deadline.class);
    private static final int DELETE_BATCH = 10;

    /** Starts whatever calls {@link #fire()} when the hand-off time comes. */
    interface Alarm {
        void start(Deadline deadline);
    }

    /**
     * The alarm of a real invocation: one daemon thread per invocation, started with its first
     * unit, that waits in real time (as Lambda's timeout runs) and fires once. It is started from
     * the handler's thread, so it runs as part of the invocation.
     */
    static final Alarm REAL_TIME = deadline -> {
        Thread t = new Thread(deadline::watch, "lambda-relay-deadline");
        t.setDaemon(true);
        t.start();
    };

    /** Thrown on the handler's thread when the deadline handed its records on: stop, everything is passed. */
    static final class HandedOff extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandedOff() {
            super("the invocation's records were handed on at its deadline", null, false, false);
        }
    }

    private enum State { IDLE, RUNNING, HANDING_OFF, HANDED_OFF, CLOSED }

    /**
     * What a hand-off that passed the records on did, for the invocation's metrics.
     *
     * @param units the units the running record completed before the unit it cut short
     * @param leftMillis the invocation's remaining time when the hand-off was done, -1 without a context
     */
    record HandOff(long units, long leftMillis) {
    }

    private final Context context;
    private final List<SQSMessage> records;
    private final Function<SQSMessage, RelayPacket> reader;
    private final Wiring wiring;
    private final Alarm alarm;
    private final Thread handler;
    private final long deadlineNanos;
    private final boolean[] acknowledged;
    private final String[] queueUrls;

    // Guarded by this.
    private State state = State.IDLE;
    private boolean alarmStarted;
    private boolean gaveUp;
    private boolean inUnit;
    private boolean interrupted;
    private int current = -1;
    private RelayPacket snapshot;
    private long handOffMillis;
    private int units;
    private long longestMillis;
    private long remainingAtUnitStart;
    private HandOff handOff;
    private Runnable afterHandOff = () -> { };
    private Consumer<RelayPacket> charge = p -> { };

    /**
     * @param context the invocation's context; {@code null} (outside Lambda) never fires
     * @param records the records of the event, in order
     * @param reader reads a record's packet
     * @param wiring the relay's pieces: sender, facts, fan-in, clients
     * @param alarm what calls {@link #fire()}
     */
    Deadline(Context context, List<SQSMessage> records, Function<SQSMessage, RelayPacket> reader, Wiring wiring,
            Alarm alarm) {
        this.context = context;
        this.records = records;
        this.reader = reader;
        this.wiring = wiring;
        this.alarm = alarm;
        this.handler = Thread.currentThread();
        this.deadlineNanos = context == null ? Long.MAX_VALUE
                : System.nanoTime() + Math.max(0, context.getRemainingTimeInMillis()) * 1_000_000L;
        this.acknowledged = new boolean[records.size()];
        this.queueUrls = new String[records.size()];
    }

    synchronized void recordStarts(int index) {
        current = index;
    }

    /** The current record's packet was read: its queue is where its message is deleted from. */
    synchronized void recordRead(RelayPacket pkt) {
        queueUrls[current] = pkt.queueUrl();
    }

    /** The current record was handled: {@code true} if it is acknowledged (not a batch item failure). */
    synchronized void recordEnds(boolean ack) {
        acknowledged[current] = ack;
    }

    /**
     * A unit of the current record starts.
     *
     * @param before the packet as it was after the record's last completed unit
     * @param budget the record's budget: its hand-off time, units and longest unit so far
     */
    synchronized void unitStarts(RelayPacket before, TimeBudget budget) {
        if (state == State.CLOSED) {
            return;
        }
        snapshot = before;
        handOffMillis = budget.handOffMillis();
        units = budget.unitsCompleted();
        longestMillis = budget.longestMeasuredMillis();
        remainingAtUnitStart = context == null ? 0 : context.getRemainingTimeInMillis();
        state = State.RUNNING;
        inUnit = true;
        if (!alarmStarted && context != null) {
            alarmStarted = true;
            alarm.start(this);
        }
        notifyAll();
    }

    /**
     * The running unit ended (returned or threw). Waits for a hand-off under way.
     *
     * @return {@code true} to go on with the unit's result; {@code false} if the deadline handed
     *     the records on, so the unit's result is discarded and the invocation stops
     */
    synchronized boolean unitEnds() {
        inUnit = false;
        boolean waitInterrupted = false;
        while (state == State.HANDING_OFF) {
            try {
                wait();
            } catch (InterruptedException e) {
                waitInterrupted = true;
            }
        }
        if (state == State.HANDED_OFF) {
            if (interrupted) {
                Thread.interrupted(); // the hand-off's own interrupt: the invocation ends normally
            } else if (waitInterrupted) {
                handler.interrupt();
            }
            return false;
        }
        if (waitInterrupted) {
            handler.interrupt();
        }
        if (state == State.RUNNING) {
            state = State.IDLE;
        }
        return true;
    }

    /** Sets what adds the running record's share of the invocation to its packet before the hand-off passes it. */
    synchronized void chargeWith(Consumer<RelayPacket> action) {
        charge = action;
    }

    /** Sets what runs right after a hand-off passed the records on, on the hand-off's thread. */
    synchronized void whenHandedOff(Runnable action) {
        afterHandOff = action;
    }

    /** {@return what the hand-off did, or {@code null} if it passed nothing on} */
    synchronized HandOff handOff() {
        return handOff;
    }

    /** The handler is done with the event: the alarm stops. */
    synchronized void close() {
        state = State.CLOSED;
        inUnit = false;
        notifyAll();
    }

    /** The alarm thread: waits until the hand-off time of a running unit, fires once, and ends. */
    void watch() {
        synchronized (this) {
            while (true) {
                if (state == State.CLOSED || state == State.HANDED_OFF) {
                    return;
                }
                long waitNanos = state == State.RUNNING && !gaveUp
                        ? deadlineNanos - handOffMillis * 1_000_000L - System.nanoTime() : Long.MAX_VALUE;
                if (waitNanos <= 0) {
                    break;
                }
                try {
                    if (waitNanos == Long.MAX_VALUE) {
                        wait();
                    } else {
                        wait(Math.max(1, waitNanos / 1_000_000L));
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        fire();
    }

    /**
     * Hands the records on if a unit is running; otherwise does nothing.
     *
     * @return whether it handed them on
     */
    boolean fire() {
        RelayPacket before;
        int index;
        long ranMillis;
        synchronized (this) {
            if (state != State.RUNNING || gaveUp) {
                return false;
            }
            state = State.HANDING_OFF;
            before = snapshot.copy();
            index = current;
            ranMillis = context == null ? 0 : Math.max(0, remainingAtUnitStart - context.getRemainingTimeInMillis());
        }
        boolean passed = false;
        Runnable after;
        LogContext log = LogContext.of(before);
        try {
            passed = handOff(before, index, ranMillis);
        } finally {
            log.close();
            synchronized (this) {
                if (passed) {
                    state = State.HANDED_OFF;
                    if (inUnit) {
                        interrupted = true;
                        handler.interrupt();
                    }
                } else {
                    gaveUp = true;
                    state = State.RUNNING;
                }
                after = afterHandOff;
                notifyAll();
            }
        }
        if (passed) {
            after.run();
        }
        return passed;
    }

    private boolean handOff(RelayPacket pkt, int index, long ranMillis) {
        int done;
        long longest;
        boolean[] ack;
        String[] urls;
        Consumer<RelayPacket> charging;
        synchronized (this) {
            charging = charge;
            done = units;
            longest = longestMillis;
            ack = acknowledged.clone();
            urls = queueUrls.clone();
        }
        long idle = done == 0 ? pkt.hopState().idleHops() + 1 : 0;
        pkt.hopState(pkt.hopState().withIdleHops(idle).withUnitMs(Math.max(longest, ranMillis)));
        charging.accept(pkt);
        wiring.fanIn().addUnits(pkt, done); // counted by the pass's progress write
        try {
            wiring.sender().pass(pkt, Duration.ZERO);
        } catch (RelayException e) {
            LOG.warn("relay {}: part {} hop {}: the invocation's time ran out during a unit and the hand-off failed ({}); "
                    + "SQS delivers the message again after its visibility timeout", pkt.relayId(), pkt.part(),
                    pkt.hop(), e.getClass().getSimpleName());
            return false;
        }
        List<Integer> delete = new ArrayList<>();
        delete.add(index);
        for (int i = 0; i < index; i++) {
            if (ack[i]) {
                delete.add(i);
            }
        }
        int untouched = 0;
        for (int i = index + 1; i < records.size(); i++) {
            String url = passUntouched(records.get(i));
            if (url != null) {
                urls[i] = url;
                delete.add(i);
                untouched++;
            }
        }
        int notDeleted = delete(delete, urls);
        synchronized (this) {
            handOff = new HandOff(done, context == null ? -1 : Math.max(0, context.getRemainingTimeInMillis()));
        }
        LOG.info("relay {}: part {}: the invocation's time ran out {} ms into a unit; handed on as hop {} after {} "
                + "completed unit(s), the running unit runs again; {} later record(s) passed on untouched{}",
                pkt.relayId(), pkt.part(), ranMillis, pkt.hop(), done, untouched,
                notDeleted == 0 ? "" : "; " + notDeleted + " message(s) could not be deleted and come back");
        return true;
    }

    /** Passes a record not started yet on as it is; returns its queue's URL, or {@code null} if it stays. */
    private String passUntouched(SQSMessage message) {
        try {
            RelayPacket pkt = reader.apply(message);
            LogContext log = LogContext.of(pkt);
            try {
                if (!wiring.sender().deferIfNotDue(pkt)) {
                    wiring.sender().pass(pkt, Duration.ZERO);
                }
            } finally {
                log.close();
            }
            return pkt.queueUrl();
        } catch (RuntimeException e) {
            // Invalid, or the pass failed: left to the visibility timeout, as without a hand-off.
            LOG.debug("message {} was not passed on at the deadline: {}", message.getMessageId(),
                    e.getClass().getSimpleName());
            return null;
        }
    }

    /** Deletes the messages of these records, each from its queue; returns how many could not be deleted. */
    private int delete(List<Integer> indexes, String[] urls) {
        Map<String, List<DeleteMessageBatchRequestEntry>> byQueue = new LinkedHashMap<>();
        int failed = 0;
        for (int i : indexes) {
            SQSMessage m = records.get(i);
            String url = urls[i];
            try {
                if (url == null) {
                    url = wiring.facts().urlOf(m.getEventSourceArn());
                }
            } catch (RuntimeException e) {
                failed++;
                continue;
            }
            byQueue.computeIfAbsent(url, u -> new ArrayList<>()).add(DeleteMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i)).receiptHandle(m.getReceiptHandle()).build());
        }
        for (Map.Entry<String, List<DeleteMessageBatchRequestEntry>> e : byQueue.entrySet()) {
            List<DeleteMessageBatchRequestEntry> entries = e.getValue();
            for (int from = 0; from < entries.size(); from += DELETE_BATCH) {
                List<DeleteMessageBatchRequestEntry> chunk = entries.subList(from,
                        Math.min(entries.size(), from + DELETE_BATCH));
                try {
                    failed += wiring.clients().sqs().deleteMessageBatch(r -> r.queueUrl(e.getKey()).entries(chunk))
                            .failed().size();
                } catch (SdkException ex) {
                    failed += chunk.size();
                }
            }
        }
        return failed;
    }
}
