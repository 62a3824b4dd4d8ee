package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.janitor.RelayJanitor;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operating relays by id on {@code LocalAws} with virtual time: a relay whose packet is
 * dead-lettered parks, and resumes exactly with fixed code; pause, list, status, cancel, and what
 * each state refuses.
 */
class RelayControlTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static LocalAws aws;
    private static InMemoryRelayLedger ledger;
    private static Relay plain;
    private static Relay ledgered;
    private static RelayControl control;

    @BeforeAll
    static void start() {
        aws = LocalAws.builder().virtualTime(true).start();
        ledger = new InMemoryRelayLedger(aws.clock());
        plain = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(aws.clock()).build();
        ledgered = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(aws.clock())
                .ledger(ledger).build();
        control = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).ledger(ledger)
                .clock(aws.clock()).build();
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    /** What the workers of one relay saw, across code versions. */
    static final class Seen {
        final List<Long> completed = new CopyOnWriteArrayList<>();
        final List<RelayFailure> parked = new CopyOnWriteArrayList<>();
        final Map<Integer, Long> partSums = new ConcurrentHashMap<>();
        final AtomicInteger units = new AtomicInteger();
    }

    /**
     * Sums items {@code from} to {@code to} of its packet, one item per unit. The buggy version
     * throws at item 7 of any part.
     */
    static final class Summer extends RelayWorker {
        private final boolean buggy;
        private final Seen seen;

        Summer(Relay relay, boolean buggy, Seen seen) {
            super(relay);
            this.buggy = buggy;
            this.seen = seen;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            long i = pkt.getLong("next", pkt.getLong("from", 0));
            if (buggy && i == 7) {
                throw new IllegalStateException("a bug at item 7");
            }
            seen.units.incrementAndGet();
            pkt.put("sum", pkt.getLong("sum", 0) + i);
            pkt.put("next", i + 1);
            return i + 1 < pkt.getLong("to", 20);
        }

        @Override
        protected void onPartComplete(RelayPacket pkt, Context context) {
            seen.partSums.put(pkt.part(), pkt.getLong("sum", 0));
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            seen.completed.add(pkt.getLong("sum", 0));
        }

        @Override
        protected void onRelayParked(RelayPacket pkt, RelayFailure failure, Context context) {
            seen.parked.add(failure);
        }
    }

    private static RelaySetup attempts(int n) {
        return RelaySetup.builder().maxReceiveCount(n).expiresAfter(Duration.ofHours(6)).build();
    }

    @Test
    void aChainWhosePacketIsDeadLettered_parks_andResumesExactlyWithTheFixedCode() {
        Seen seen = new Seen();
        aws.registerFunction("summer", Duration.ofSeconds(10), new Summer(plain, true, seen));
        RelayPacket pkt = plain.setup(null, "summer", attempts(2)).put("to", 20L);
        plain.relayPass(pkt);

        Await.until("the relay to park", WAIT, () -> !seen.parked.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        RelayStatus parked = control.status(pkt.relayId());
        assertEquals(RelayState.PARKED, parked.relay().state(), parked.toString());
        assertEquals(RelayFailure.Reason.DEAD_LETTERED, seen.parked.get(0).reason());
        assertTrue(parked.relay().detail().startsWith("DEAD_LETTERED at hop"), parked.relay().detail());
        assertEquals(1, parked.deadLettered(), "the packet as last handed off");
        assertEquals(0, parked.visible() + parked.inFlight() + parked.delayed());
        assertEquals(List.of("Disabled"), parked.mappings().stream().map(RelayStatus.Mapping::state).toList());
        assertEquals(List.of(), seen.completed);

        aws.updateFunctionCode("summer", new Summer(plain, false, seen)); // the fix, deployed
        RelayControl.Resumed resumed = control.resume(pkt.relayId());

        assertEquals(new RelayControl.Resumed(pkt.relayId(), RelayState.PARKED, 1, 1), resumed);
        Await.until("the relay to complete", WAIT, () -> !seen.completed.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        assertEquals(List.of(190L), seen.completed, "0 + 1 + ... + 19, exactly, once");
        assertEquals(1, seen.parked.size());
        assertThrows(UnknownRelayException.class, () -> control.status(pkt.relayId()), "torn down, its DLQ empty");
    }

    @Test
    void aFanOutWithALedger_parksOnTooManyFailedParts_andCompletesOnceAfterTheFix() {
        Seen seen = new Seen();
        aws.registerFunction("parts", Duration.ofSeconds(10), new Summer(ledgered, true, seen));
        RelayPacket pkt = ledgered.setup(null, "parts", attempts(1));
        // part i sums items 10 i .. 10 i + 9; only part 0 holds item 7
        ledgered.fanOut(pkt, 6, (i, p) -> p.put("from", 10L * i).put("to", 10L * i + 10));

        Await.until("the relay to park", WAIT, () -> !seen.parked.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        RelayStatus parked = control.status(pkt.relayId());
        assertEquals(RelayState.PARKED, parked.relay().state());
        assertEquals(RelayFailure.Reason.TOO_MANY_FAILED_PARTS, seen.parked.get(0).reason());
        assertEquals(1, parked.deadLettered());
        assertEquals(1, parked.partsFailed().getAsLong());

        assertEquals("InMemoryRelayLedger", parked.relay().ledger(), "the queue names its ledger");
        RelayControl withoutLedger = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .build();
        RelayStateException noLedger = assertThrows(RelayStateException.class, () -> withoutLedger.resume(pkt.relayId()));
        assertTrue(noLedger.getMessage().contains("resume it with that ledger"), noLedger.getMessage());
        assertEquals(RelayState.PARKED, control.status(pkt.relayId()).relay().state(), "nothing moved");

        aws.updateFunctionCode("parts", new Summer(ledgered, false, seen));
        assertEquals(1, control.resume(pkt.relayId()).packetsMovedBack());

        Await.until("the relay to complete", WAIT, () -> !seen.completed.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        assertEquals(1, seen.completed.size(), "completed once");
        assertEquals(6, seen.partSums.size());
        assertEquals(1770L, seen.partSums.values().stream().mapToLong(Long::longValue).sum(), "0 + ... + 59, exactly");
        assertEquals(new PartTally(6, 0, 60), ledger.tally(pkt.relayId()), "the failed part counts again, once");
    }

    @Test
    void aFanOutWithoutALedger_isParkedByItsWatchdog_whichWatchesAgainAfterTheResume() {
        Seen seen = new Seen();
        aws.registerFunction("watched", Duration.ofSeconds(10), new Summer(plain, true, seen));
        RelayPacket pkt = plain.setup(null, "watched", attempts(1));
        plain.fanOut(pkt, 3, (i, p) -> p.put("from", 10L * i).put("to", 10L * i + 10));

        Await.until("the watchdog to park the relay", WAIT, () -> !seen.parked.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        RelayStatus parked = control.status(pkt.relayId());
        assertEquals(RelayState.PARKED, parked.relay().state());
        assertEquals(RelayFailure.Reason.TOO_MANY_FAILED_PARTS, seen.parked.get(0).reason());
        assertEquals(1, parked.visible() + parked.delayed(), "the watchdog waits in the queue");

        aws.updateFunctionCode("watched", new Summer(plain, false, seen));
        control.resume(pkt.relayId());

        Await.until("the relay to complete", WAIT, () -> !seen.completed.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        assertEquals(1, seen.completed.size());
        assertEquals(435L, seen.partSums.values().stream().mapToLong(Long::longValue).sum(), "0 + ... + 29");
    }

    @Test
    void aPausedRelay_runsNothing_untilResumed() {
        Seen seen = new Seen();
        aws.registerFunction("paused", Duration.ofSeconds(10), new Summer(plain, false, seen));
        RelayPacket pkt = plain.setup(null, "paused", attempts(3)).put("to", 5L);

        RelayStatus paused = control.pause(pkt.relayId());
        plain.relayPass(pkt);
        aws.advanceTime(Duration.ofHours(1));
        aws.awaitIdle(WAIT);

        assertEquals(RelayState.PAUSED, paused.relay().state());
        assertTrue(paused.relay().detail().startsWith("paused "), paused.relay().detail());
        assertEquals(0, seen.units.get(), "nothing ran");
        assertEquals(1, control.status(pkt.relayId()).visible(), "the packet waits");
        assertEquals(RelayState.PAUSED, control.pause(pkt.relayId()).relay().state(), "pausing again changes nothing");
        RelayJanitor janitor = RelayJanitor.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .clock(aws.clock()).idleAfter(Duration.ofMinutes(10)).build();
        assertFalse(janitor.sweep().removedRelays().contains(pkt.relayId()));

        assertEquals(new RelayControl.Resumed(pkt.relayId(), RelayState.PAUSED, 0, 1), control.resume(pkt.relayId()));
        Await.until("the relay to complete", WAIT, () -> !seen.completed.isEmpty(), aws.stats()::toString);
        assertEquals(List.of(10L), seen.completed);
        assertEquals(RelayState.RUNNING, control.resume(createRunning("again", seen)).from(), "a running relay stays");
    }

    private static String createRunning(String function, Seen seen) {
        aws.registerFunction(function, Duration.ofSeconds(10), new Summer(plain, false, seen));
        return plain.setup(null, function, attempts(3)).relayId();
    }

    @Test
    void list_status_cancel_andWhatEachStateRefuses() {
        Seen seen = new Seen();
        String running = createRunning("listed", seen);
        RelayPacket orphan = plain.setup(null, "listed", attempts(3));
        aws.lambdaClient().deleteEventSourceMapping(r -> r.uuid(orphan.mappingUuid())); // deleted under it

        Map<String, RelaySummary> listed = new ConcurrentHashMap<>();
        control.list().forEach(s -> listed.put(s.relayId(), s));

        assertEquals(RelayState.RUNNING, listed.get(running).state());
        assertEquals("listed", listed.get(running).workerFunction());
        assertTrue(listed.get(running).created() != null && listed.get(running).expires() != null);
        assertEquals(RelayState.FAILED, listed.get(orphan.relayId()).state());
        assertEquals("no event-source mapping reads its queue", listed.get(orphan.relayId()).detail());
        RelayStateException refused = assertThrows(RelayStateException.class, () -> control.resume(orphan.relayId()));
        assertEquals(RelayState.FAILED, refused.state());
        assertTrue(refused.getMessage().contains("start a new relay"), refused.getMessage());
        UnknownRelayException unknown = assertThrows(UnknownRelayException.class, () -> control.status("0000beef"));
        assertTrue(unknown.getMessage().contains("no relay 0000beef") && unknown.getMessage().contains("'relay-'"),
                unknown.getMessage());

        aws.sqsClient().sendMessage(r -> r.queueUrl(orphan.deadLetterQueueUrl().orElseThrow()).messageBody("{}"));
        TearDownResult cancelled = control.cancel(orphan.relayId());

        assertTrue(cancelled.queueDeleted());
        assertTrue(cancelled.dlqKept(), "a dead-letter queue holding a message is kept");
        RelaySummary failed = control.status(orphan.relayId()).relay();
        assertEquals(RelayState.FAILED, failed.state());
        assertEquals(null, failed.queueUrl());
        assertThrows(RelayStateException.class, () -> control.pause(orphan.relayId()));
        assertThrows(RelayStateException.class, () -> control.redrive(orphan.relayId()));
        assertTrue(control.cancel(running).queueDeleted());
        assertThrows(UnknownRelayException.class, () -> control.status(running));
    }

    @Test
    void theJanitor_leavesAParkedRelayUntilItsExpiry() {
        Seen seen = new Seen();
        aws.registerFunction("expiring", Duration.ofSeconds(10), new Summer(plain, true, seen));
        RelayPacket pkt = plain.setup(null, "expiring", RelaySetup.builder().maxReceiveCount(1)
                .expiresAfter(Duration.ofHours(3)).build()).put("to", 20L);
        plain.relayPass(pkt);
        Await.until("the relay to park", WAIT, () -> !seen.parked.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        RelayJanitor janitor = RelayJanitor.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .clock(aws.clock()).idleAfter(Duration.ofMinutes(10)).build();

        janitor.sweep();
        aws.advanceTime(Duration.ofHours(1));
        assertFalse(janitor.sweep().removedRelays().contains(pkt.relayId()), "empty for an hour, but parked");
        aws.advanceTime(Duration.ofHours(2));
        var report = janitor.sweep();

        assertTrue(report.removedRelays().contains(pkt.relayId()), "removed at its expiry");
        assertTrue(report.keptDeadLetterQueues().contains(pkt.deadLetterQueueUrl().orElseThrow()),
                "its dead-lettered packet is kept");
    }
}
