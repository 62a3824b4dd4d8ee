package io.lambdarelay;

import static io.lambdarelay.FaultFixture.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.FaultFixture.Worker;
import io.lambdarelay.local.Delivery;
import io.lambdarelay.testing.CapturedStderr;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The figures a worker reports once per invocation to the relay's metrics listener, checked on
 * LocalAws with manual delivery and virtual time: each unit moves the clock by its length, so the
 * durations follow from the units (plus the few real milliseconds virtual time also counts).
 */
class RelayMetricsTest extends FaultModelBase {
    private static final String SECRET = "secret-91d2-john.roe@example.com";
    /** The worker's timeout, in millis: what an invocation has. */
    private static final long TIMEOUT_MS = FaultFixture.TIMEOUT.toMillis();

    private final List<RelayMetrics> reported = Collections.synchronizedList(new ArrayList<>());

    /** A relay on LocalAws that reports to {@link #reported}, with the fixture's ledger or none. */
    private Relay relay(boolean ledger, RelayMetricsListener listener) {
        return Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(f.clock)
                .ledger(ledger ? f.ledger : null).metrics(listener).build();
    }

    private Relay relay() {
        return relay(false, reported::add);
    }

    /**
     * Sets up a chain of {@code target} units (its packet holding {@link #SECRET} as well), passes
     * its first packet, and lets a plain worker run it; a test may {@code f.use} another.
     */
    private RelayPacket started(Relay relay, long target) {
        RelayPacket pkt = relay.setup(null, WORKER).put("target", target).put("note", SECRET);
        relay.relayPass(pkt);
        f.use(new Worker(relay, aws));
        return pkt;
    }

    private RelayMetrics only() {
        assertEquals(1, reported.size(), "one report per invocation: " + reported);
        return reported.get(0);
    }

    @Test
    void anInvocationThatPassesOn_reportsUnitsLatencyBudgetAndTimeLeft() {
        RelayPacket pkt = started(relay(), 100);
        f.advance(Duration.ofSeconds(3)); // the packet waits 3 s in the queue

        Delivery d = f.deliver(pkt);

        assertTrue(d.succeeded());
        RelayMetrics m = only();
        List<Message> passed = f.peek(pkt.queueUrl());
        assertEquals(1, passed.size(), "one packet passed on");
        long n = RelayPacket.fromJson(passed.get(0).body()).getLong("n", 0);
        assertTrue(n >= 1, "units ran");
        assertEquals(WORKER, m.functionName());
        assertEquals(1, m.records());
        assertEquals(0, m.failedRecords());
        assertEquals(n, m.unitsCompleted(), "the units the passed packet carries");
        long latency = m.hopLatencyMillis().orElseThrow();
        assertTrue(latency >= 3_000 && latency < 3_000 + 60_000, "latency " + latency);
        assertTrue(m.budgetUsedMillis() >= n * 1_000 && m.budgetUsedMillis() <= TIMEOUT_MS, "used " + m);
        double share = m.budgetUsedShare().orElseThrow();
        assertTrue(share >= n * 1_000.0 / TIMEOUT_MS && share <= 1, "share " + share);
        long left = m.timeLeftAtHandOffMillis().orElseThrow();
        assertTrue(left >= 0 && left <= TIMEOUT_MS - n * 1_000, "left " + left + " after " + n + " units");
        assertEquals(TIMEOUT_MS, m.budgetUsedMillis() + left, 1_000, "what was not used was left at the hand-off");
        assertEquals(0, m.deadlineHandOffs());
        assertEquals(0, m.throttles());
        assertEquals(f.clock.millis(), m.time().toEpochMilli(), 1_000, "stamped by the relay's clock");

        reported.clear();
        f.deliver(pkt); // at once: the packet passed on waited only for this delivery
        long next = only().hopLatencyMillis().orElseThrow();
        assertTrue(next < n * 1_000, "the next hop waited " + next + " ms, not the " + n + " s the units took");
    }

    @Test
    void aChainThatFinishes_reportsItsUnits_andNoHandOff() {
        RelayPacket pkt = started(relay(), 3);

        f.deliver(pkt);

        RelayMetrics m = only();
        assertEquals(3, m.unitsCompleted());
        assertEquals(OptionalLong.empty(), m.timeLeftAtHandOffMillis(), "nothing was passed on");
        assertTrue(m.budgetUsedMillis() >= 3_000, "used " + m.budgetUsedMillis());
        assertTrue(m.hopLatencyMillis().isPresent());
        assertFalse(f.exists(pkt.queueUrl()), "torn down");
    }

    @Test
    void aThrottledUnit_isCounted_andTheBackOffLeavesTheNextHopsLatencyOut() {
        Relay relay = relay();
        RelayPacket pkt = started(relay, 100);
        AtomicBoolean throttledOnce = new AtomicBoolean();
        f.use(new Worker(relay, aws) {
            @Override
            protected boolean processUnit(RelayPacket p) throws Exception {
                if (p.getLong("n", 0) == 2 && !throttledOnce.getAndSet(true)) {
                    throw new RelayThrottledException("the vendor answered 429");
                }
                return super.processUnit(p);
            }
        });

        f.deliver(pkt);
        RelayMetrics first = only();
        reported.clear();
        f.deliver(pkt); // after the back-off: LocalAws moves the clock to it

        assertEquals(1, first.throttles());
        assertEquals(2, first.unitsCompleted(), "the throttled unit is not one of them");
        assertTrue(first.timeLeftAtHandOffMillis().isPresent(), "passed on with a back-off");
        RelayMetrics second = only();
        assertEquals(0, second.throttles());
        assertTrue(second.unitsCompleted() > 0);
        assertEquals(OptionalLong.empty(), second.hopLatencyMillis(), "a back-off the relay chose is no latency");
    }

    @Test
    void aDeadlineHandOff_isReportedOnce_withTheUnitsBeforeTheOneItCutShort() {
        Relay relay = relay();
        RelayPacket pkt = started(relay, 20);
        List<Integer> reportsWhileTheUnitRan = new ArrayList<>();
        DeadlineHandOffTest.DeadlineWorker w = f.use(new DeadlineHandOffTest.DeadlineWorker(relay, f) {
            @Override
            protected boolean processUnit(RelayPacket p) throws Exception {
                boolean more = super.processUnit(p); // fires the deadline in the fourth unit
                if (!fires.isEmpty() && reportsWhileTheUnitRan.isEmpty()) {
                    reportsWhileTheUnitRan.add(reported.size());
                }
                return more;
            }
        });
        w.fireAtUnit = 4; // three units completed, the fourth still running

        f.deliver(pkt);

        assertEquals(List.of(true), w.fires);
        assertEquals(List.of(1), reportsWhileTheUnitRan, "reported right after the hand-off, not only when "
                + "the unit it cut short returns (it may never)");
        RelayMetrics m = only();
        assertEquals(1, m.deadlineHandOffs());
        assertEquals(3, m.unitsCompleted());
        assertTrue(m.timeLeftAtHandOffMillis().isPresent());
        assertEquals(0, m.failedRecords());
    }

    @Test
    void aBatch_countsItsRecordsAndFailedRecords() {
        Relay relay = relay(true, reported::add);
        RelayPacket pkt = relay.setup(null, WORKER, RelaySetup.builder().batchSize(2).build()).put("target", 2L);
        relay.fanOut(pkt, 2, (i, p) -> p.put("fail", i == 1));
        f.use(new Worker(relay, aws) {
            @Override
            protected boolean processUnit(RelayPacket p) throws Exception {
                if (p.getBoolean("fail", false)) {
                    throw new IllegalStateException("this part's units fail");
                }
                return super.processUnit(p);
            }
        });

        Delivery d = f.deliver(pkt);

        assertEquals(2, d.messageIds().size(), "one batch of two");
        RelayMetrics m = only();
        assertEquals(2, m.records());
        assertEquals(1, m.failedRecords());
        assertEquals(2, m.unitsCompleted(), "part 0's two units; part 1's failed record keeps none");
    }

    @Test
    void aListenerThatThrows_failsNoRecord_andIsWarnedAboutOnce_byItsTypeOnly() {
        CapturedStderr stderr = CapturedStderr.start();
        List<Delivery> deliveries;
        RelayPacket pkt;
        try (stderr) {
            pkt = started(relay(false, m -> {
                throw new IllegalStateException("listener broke on " + SECRET);
            }), 12);
            deliveries = f.deliverAll(pkt, 10);
        }

        assertTrue(deliveries.size() >= 2, "more than one invocation: " + deliveries.size());
        assertTrue(deliveries.stream().allMatch(Delivery::succeeded), "no record failed");
        assertFalse(f.exists(pkt.queueUrl()), "the relay finished");
        String logs = stderr.text();
        List<String> warnings = logs.lines().filter(l -> l.contains("WARN") && l.contains("metrics listener")).toList();
        assertEquals(1, warnings.size(), "warned once: " + warnings);
        assertTrue(warnings.get(0).contains(IllegalStateException.class.getName()), warnings.get(0));
        assertFalse(logs.contains(SECRET), "the exception's message (or the packet) reached the log");
    }

    @Test
    void theEmfListener_writesOneParsableLinePerInvocation_withoutPacketContents() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        RelayPacket pkt = started(relay(false, EmfMetricsListener.builder().namespace("RelayTest").out(stream).build()),
                12);

        int invocations = f.deliverAll(pkt, 10).size();

        String text = out.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains(SECRET), "packet contents in a metrics line");
        List<String> lines = text.lines().toList();
        assertEquals(invocations, lines.size(), "one line per invocation");
        long units = 0;
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode doc = json.readTree(line);
            assertEquals("RelayTest", doc.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
            assertEquals(WORKER, doc.get(EmfMetricsListener.DIMENSION).asText());
            units += doc.get("UnitsCompleted").asLong();
        }
        assertEquals(12, units, "the lines add up to the job's units");
        assertFalse(f.exists(pkt.queueUrl()), "the relay finished");
    }
}
