package io.lambdarelay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.RelayCost;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.ledger.PooledRelay.Control;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.ledger.RelayLedger.Claim;
import io.lambdarelay.ledger.RelayLedger.Completion;
import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RelayLedger} must do, run against each implementation by a subclass: the
 * in-memory ledger here, the DynamoDB ledger in relay-dynamodb (on dynalite and on LocalStack),
 * which takes this class from relay-core's test jar. Each test uses fresh relay ids, so
 * implementations may share one store between tests.
 */
public abstract class RelayLedgerContract {
    private static final int THREADS = 8;
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final String relay = newRelayId();

    /** The clock the ledger under test must run its completion leases on. */
    protected final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    /** The ledger under test, on {@link #clock}; may be the same instance for every test. */
    protected abstract RelayLedger ledger();

    private static String newRelayId() {
        return "relay-" + UUID.randomUUID();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "worker threads stopped");
    }

    @Test
    void claimHop_firstClaim_isClaimed() {
        assertEquals(Claim.CLAIMED, ledger().claimHop(relay, 0, 1, "msg-a"));
    }

    @Test
    void claimHop_sameMessageAgain_takesTheClaimOver() {
        ledger().claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.TAKEN_OVER, ledger().claimHop(relay, 0, 1, "msg-a"));
        assertEquals(Claim.TAKEN_OVER, ledger().claimHop(relay, 0, 1, "msg-a"), "every redelivery takes it over");
    }

    @Test
    void claimHop_otherMessageForClaimedHop_isFork() {
        ledger().claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.FORK, ledger().claimHop(relay, 0, 1, "msg-b"));
        assertEquals(Claim.TAKEN_OVER, ledger().claimHop(relay, 0, 1, "msg-a"), "the fork does not steal the claim");
    }

    @Test
    void claimHop_otherHopPartOrRelay_isClaimedIndependently() {
        ledger().claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.CLAIMED, ledger().claimHop(relay, 0, 2, "msg-b"), "next hop");
        assertEquals(Claim.CLAIMED, ledger().claimHop(relay, 1, 1, "msg-c"), "other part, same hop");
        assertEquals(Claim.CLAIMED, ledger().claimHop(relay, 10, 1, "msg-d"), "part 10 is not part 1 hop 0");
        assertEquals(Claim.CLAIMED, ledger().claimHop(newRelayId(), 0, 1, "msg-a"), "other relay");
    }

    @Test
    void finishPart_samePartTwice_countsOnce() {
        assertEquals(new PartTally(1, 0, 0), ledger().finishPart(relay, 3, false));
        assertEquals(new PartTally(1, 0, 0), ledger().finishPart(relay, 3, false));
        assertEquals(new PartTally(1, 0, 0), ledger().tally(relay));
    }

    @Test
    void finishPart_samePartReportedFailedAfterDone_keepsTheFirstOutcome() {
        ledger().finishPart(relay, 3, false);

        assertEquals(new PartTally(1, 0, 0), ledger().finishPart(relay, 3, true));
    }

    @Test
    void finishPart_failedParts_areCountedApart() {
        ledger().finishPart(relay, 0, false);
        ledger().finishPart(relay, 1, true);
        PartTally tally = ledger().finishPart(relay, 2, false);

        assertEquals(2, tally.done());
        assertEquals(1, tally.failed());
        assertEquals(3, tally.finished());
    }

    @Test
    void finishPart_returnsTheUnitsToo() {
        ledger().addUnits(relay, 40);

        assertEquals(new PartTally(0, 1, 40), ledger().finishPart(relay, 0, true));
    }

    @Test
    void addUnits_sumsAndLeavesPartsAlone() {
        ledger().addUnits(relay, 3);
        ledger().addUnits(relay, 4);
        ledger().addUnits(relay, 0);

        assertEquals(new PartTally(0, 0, 7), ledger().tally(relay));
    }

    @Test
    void beginCompletion_oneHolderWhileItsLeaseRuns_evenForTheSameMessage() {
        assertEquals(Completion.RUN_HOOK, ledger().beginCompletion(relay, "m-1", LEASE));
        assertEquals(Completion.OTHER, ledger().beginCompletion(relay, "m-2", LEASE));
        assertEquals(Completion.OTHER, ledger().beginCompletion(relay, "m-1", LEASE),
                "a duplicate delivery of the same message while the first runs");
        assertEquals(Completion.RUN_HOOK, ledger().beginCompletion(newRelayId(), "m-2", LEASE),
                "another relay ends on its own");
    }

    @Test
    void beginCompletion_afterTheLeaseRanOut_aRedeliveryTakesOver() {
        assertEquals(Completion.RUN_HOOK, ledger().beginCompletion(relay, "m-1", LEASE));
        clock.advance(LEASE.minusMillis(1));
        assertEquals(Completion.OTHER, ledger().beginCompletion(relay, "m-1", LEASE));
        clock.advance(Duration.ofMillis(2));
        assertEquals(Completion.RUN_HOOK, ledger().beginCompletion(relay, "m-1", LEASE),
                "the holder's invocation is over and its hook did not finish");
    }

    @Test
    void endCompletion_laterCallersOnlyTearDown_leaseOrNot() {
        assertEquals(Completion.RUN_HOOK, ledger().beginCompletion(relay, "m-1", LEASE));
        ledger().endCompletion(relay);

        assertEquals(Completion.TEAR_DOWN, ledger().beginCompletion(relay, "m-2", LEASE));
        clock.advance(LEASE.multipliedBy(2));
        assertEquals(Completion.TEAR_DOWN, ledger().beginCompletion(relay, "m-1", LEASE));
    }

    @Test
    void reopenPart_takesAFailedPartBack_soItsSuccessCounts() {
        ledger().finishPart(relay, 0, true);
        ledger().finishPart(relay, 1, false);

        assertEquals(new PartTally(1, 0, 0), ledger().reopenPart(relay, 0));
        assertEquals(new PartTally(1, 0, 0), ledger().reopenPart(relay, 1), "a part that succeeded stays done");
        assertEquals(new PartTally(1, 0, 0), ledger().reopenPart(relay, 2), "a part that never finished stays open");
        assertEquals(new PartTally(2, 0, 0), ledger().finishPart(relay, 0, false));
        assertEquals(new PartTally(2, 0, 0), ledger().finishPart(relay, 0, true), "recorded once again");
    }

    @Test
    void tally_unknownRelay_isAllZero() {
        assertEquals(new PartTally(0, 0, 0), ledger().tally(newRelayId()));
    }

    @Test
    void claimHop_racingMessages_exactlyOneClaims() throws Exception {
        List<Claim> claims = race(THREADS, i -> ledger().claimHop(relay, 0, 7, "msg-" + i));

        assertEquals(Map.of(Claim.CLAIMED, 1L, Claim.FORK, (long) THREADS - 1), count(claims));
    }

    @Test
    void claimHop_racingRedeliveries_oneClaimsTheOthersTakeOver() throws Exception {
        List<Claim> claims = race(THREADS, i -> ledger().claimHop(relay, 0, 7, "msg-same"));

        assertEquals(Map.of(Claim.CLAIMED, 1L, Claim.TAKEN_OVER, (long) THREADS - 1), count(claims));
    }

    @Test
    void finishPart_200PartsFrom8ThreadsWithRepeats_countsEachPartOnce() throws Exception {
        int parts = 200;
        // Each thread finishes its own parts; parts below 50 are also reported by the next thread,
        // as a redelivered last packet would be.
        List<List<PartTally>> perThread = race(THREADS, t -> {
            List<PartTally> seen = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                boolean mine = p % THREADS == t;
                boolean repeat = p < 50 && p % THREADS == (t + THREADS - 1) % THREADS;
                if (mine || repeat) {
                    seen.add(ledger().finishPart(relay, p, p % 20 == 0));
                }
            }
            return seen;
        });

        assertEquals(new PartTally(190, 10, 0), ledger().tally(relay));
        List<PartTally> all = perThread.stream().flatMap(List::stream).collect(Collectors.toList());
        assertEquals(parts + 50, all.size());
        assertTrue(all.stream().anyMatch(t -> t.finished() == parts), "some reporter saw every part finished");
        assertTrue(all.stream().allMatch(t -> t.finished() <= parts), "no part counted twice: " + all);
    }

    @Test
    void finishPart_450PartsAcrossThreeShards_countsEachExactly() {
        int parts = 450;
        for (int p = 0; p < parts; p++) {
            PartTally tally = ledger().finishPart(relay, p, p % 9 == 0);
            assertEquals(p + 1, tally.finished(), "after part " + p);
        }
        PartTally all = new PartTally(400, 50, 0);
        for (int p : new int[] {0, 199, 200, 201, 399, 400, 449}) {
            assertEquals(all, ledger().finishPart(relay, p, p % 9 != 0), "part " + p + " again, other outcome");
        }
        assertEquals(all, ledger().tally(relay));
    }

    @Test
    void finishPart_onePartRacedFrom8Threads_isCountedOnceAndEveryReporterSeesIt() throws Exception {
        List<PartTally> seen = race(THREADS, t -> ledger().finishPart(relay, 250, t % 2 == 0));

        PartTally tally = ledger().tally(relay);
        assertEquals(1, tally.finished(), tally.toString());
        assertEquals(List.of(tally), seen.stream().distinct().collect(Collectors.toList()), "one outcome, seen by all");
    }

    @Test
    void finishPart_8ThreadsOverSameAndOtherShards_exactTallyAndOneCompletion() throws Exception {
        int parts = 600;
        // Threads start in different shards (t % 3) and walk all parts, finishing their own (p % 8 == t):
        // every shard is written by several threads at once, and different shards at the same time.
        // The first 20 parts of each shard are also reported by the next thread, as redeliveries.
        List<List<Boolean>> perThread = race(THREADS, t -> {
            List<Boolean> completions = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                int p = (i + 200 * (t % 3)) % parts;
                boolean mine = p % THREADS == t;
                boolean repeat = p % 200 < 20 && p % THREADS == (t + 1) % THREADS;
                if (mine || repeat) {
                    PartTally tally = ledger().finishPart(relay, p, p % 25 == 0);
                    if (tally.finished() == parts) {
                        completions.add(ledger().beginCompletion(relay, "m-" + t + "-" + p, LEASE)
                                == Completion.RUN_HOOK);
                    }
                }
            }
            return completions;
        });

        assertEquals(new PartTally(576, 24, 0), ledger().tally(relay));
        List<Boolean> completions = perThread.stream().flatMap(List::stream).collect(Collectors.toList());
        assertEquals(1, completions.stream().filter(Boolean::booleanValue).count(),
                "exactly one reporter completes the relay: " + completions);
    }

    @Test
    void addUnits_racing_sumsExactly() throws Exception {
        race(THREADS, t -> {
            for (int i = 0; i < 25; i++) {
                ledger().addUnits(relay, 2);
            }
            return null;
        });

        assertEquals(new PartTally(0, 0, THREADS * 25 * 2), ledger().tally(relay));
    }

    @Test
    void cost_ofARelayNothingWasAddedTo_isZero() {
        assertEquals(Optional.of(RelayCost.ZERO), ledger().cost(relay));
    }

    @Test
    void addCost_sumsEveryCount_andLeavesTheTallyAlone() {
        ledger().addUnits(relay, 5);
        ledger().addCost(relay, new RelayCost(3, 2, 1_536_000, 9, 11, 6));
        ledger().addCost(relay, new RelayCost(1, 1, 512, 4_000_000_000L, 0, 1));
        ledger().addCost(newRelayId(), new RelayCost(100, 100, 100, 100, 100, 100));

        assertEquals(Optional.of(new RelayCost(4, 3, 1_536_512, 4_000_000_009L, 11, 7)), ledger().cost(relay));
        assertEquals(new PartTally(0, 0, 5), ledger().tally(relay));
        assertEquals(new PartTally(1, 0, 5), ledger().finishPart(relay, 0, false), "the cost is no part count");
    }

    @Test
    void addCost_racing_sumsExactly() throws Exception {
        race(THREADS, t -> {
            for (int i = 0; i < 10; i++) {
                ledger().addCost(relay, new RelayCost(1, 1, 1024L * (t + 1), 3, 4, 5));
            }
            return null;
        });

        long mbMillis = 10 * 1024L * THREADS * (THREADS + 1) / 2;
        assertEquals(Optional.of(new RelayCost(THREADS * 10, THREADS * 10, mbMillis, THREADS * 30, THREADS * 40,
                THREADS * 50)),
                ledger().cost(relay));
    }

    @Test
    void addProgress_addsUnitsAndCost_andKeepsTheLatestTime() {
        Instant t1 = Instant.parse("2026-01-01T00:00:01.250Z");
        Instant t2 = Instant.parse("2026-01-01T00:00:03.500Z");
        assertEquals(Optional.empty(), ledger().lastProgress(relay), "no progress yet");

        ledger().addProgress(relay, 4, new RelayCost(1, 1, 2_048, 2, 2, 1), t1);
        ledger().addProgress(relay, 0, new RelayCost(1, 0, 512, 1, 1, 2), t2);
        ledger().addProgress(newRelayId(), 100, new RelayCost(100, 100, 100, 100, 100, 100), t2.plusSeconds(9));

        assertEquals(new PartTally(0, 0, 4), ledger().tally(relay));
        assertEquals(Optional.of(new RelayCost(2, 1, 2_560, 3, 3, 3)), ledger().cost(relay));
        assertEquals(Optional.of(t2), ledger().lastProgress(relay));
    }

    @Test
    void addProgress_addsToWhatAddUnitsAndAddCostAdded() {
        ledger().addUnits(relay, 5);
        ledger().addCost(relay, new RelayCost(2, 2, 100, 2, 0, 4));
        ledger().addProgress(relay, 3, new RelayCost(1, 1, 50, 1, 1, 1), Instant.parse("2026-01-01T00:00:02Z"));

        assertEquals(new PartTally(0, 0, 8), ledger().tally(relay));
        assertEquals(Optional.of(new RelayCost(3, 3, 150, 3, 1, 5)), ledger().cost(relay));
    }

    @Test
    void addProgress_racing_sumsExactly() throws Exception {
        Instant at = Instant.parse("2026-01-01T00:00:05Z");
        race(THREADS, t -> {
            for (int i = 0; i < 10; i++) {
                ledger().addProgress(relay, t, new RelayCost(1, 1, 1024, 2, 1, 3), at);
            }
            return null;
        });

        assertEquals(new PartTally(0, 0, 10L * THREADS * (THREADS - 1) / 2), ledger().tally(relay));
        assertEquals(Optional.of(new RelayCost(THREADS * 10, THREADS * 10, THREADS * 10 * 1024L, THREADS * 20,
                THREADS * 10, THREADS * 30)), ledger().cost(relay));
        assertEquals(Optional.of(at), ledger().lastProgress(relay));
    }

    private PooledRelay pooled(String id, Instant created) {
        return new PooledRelay(id, "worker", "https://sqs/q/lambda-relay-pool-worker", created,
                created.plus(Duration.ofDays(1)), Control.RUNNING, "", created);
    }

    @Test
    void registerPooled_once_andReadBackAsWritten() {
        Instant t = Instant.parse("2026-01-01T00:00:00.123Z");
        PooledRelay r = pooled(relay, t);

        assertTrue(ledger().keepsPooledRelays());
        assertEquals(Optional.empty(), ledger().pooledRelay(relay), "not registered yet");
        assertTrue(ledger().registerPooled(r));
        assertFalse(ledger().registerPooled(r.withControl(Control.PAUSED, "x", t)), "a repeat changes nothing");

        assertEquals(Optional.of(r), ledger().pooledRelay(relay));
    }

    @Test
    void movePooled_onlyFromTheStatesGiven_andReturnsTheRelayAsItStands() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ledger().registerPooled(pooled(relay, t));
        Instant t2 = t.plusSeconds(60);

        PooledRelay paused = ledger().movePooled(relay, Control.PAUSED, "", t2, EnumSet.of(Control.RUNNING))
                .orElseThrow();
        PooledRelay notFromParked = ledger().movePooled(relay, Control.RUNNING, "", t2.plusSeconds(1),
                EnumSet.of(Control.PARKED)).orElseThrow();
        PooledRelay parked = ledger().movePooled(relay, Control.PARKED, "DEAD_LETTERED at hop 3", t2.plusSeconds(2),
                EnumSet.of(Control.RUNNING, Control.PAUSED)).orElseThrow();

        assertEquals(Control.PAUSED, paused.control());
        assertEquals(t2, paused.changed());
        assertEquals(Control.PAUSED, notFromParked.control(), "a paused relay is not taken as parked");
        assertEquals(Control.PARKED, parked.control());
        assertEquals("DEAD_LETTERED at hop 3", parked.reason());
        assertEquals(Optional.of(parked), ledger().pooledRelay(relay));
        assertEquals(Optional.empty(), ledger().movePooled(newRelayId(), Control.PAUSED, "", t2,
                EnumSet.of(Control.RUNNING)), "an unknown relay");
    }

    @Test
    void pooledRelays_listsTheRegisteredOnesNotOver_oldestFirst() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        String later = newRelayId();
        String ended = newRelayId();
        ledger().registerPooled(pooled(later, t.plusSeconds(5)));
        ledger().registerPooled(pooled(relay, t));
        ledger().registerPooled(pooled(ended, t.plusSeconds(1)));
        ledger().movePooled(ended, Control.ENDED, "", t.plusSeconds(9), Set.of(Control.RUNNING));

        List<String> ids = ledger().pooledRelays().stream().map(PooledRelay::relayId)
                .filter(id -> id.equals(relay) || id.equals(later) || id.equals(ended)).toList();

        assertEquals(List.of(relay, later), ids);
    }

    @Test
    void movePooled_raced_exactlyOneMoves() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ledger().registerPooled(pooled(relay, t));

        List<Boolean> moved = race(THREADS, i -> ledger().movePooled(relay, Control.PARKED, "by " + i,
                t.plusSeconds(i + 1), EnumSet.of(Control.RUNNING)).orElseThrow().reason().equals("by " + i));

        assertEquals(1, moved.stream().filter(Boolean::booleanValue).count(), "one caller parked it: " + moved);
    }

    @Test
    void beginCompletion_raced_exactlyOneWins() throws Exception {
        List<Boolean> results = race(THREADS, t -> ledger().beginCompletion(relay, "m-" + t, LEASE)
                == Completion.RUN_HOOK);

        assertEquals(1, results.stream().filter(Boolean::booleanValue).count(), results.toString());
    }

    /** Runs {@code n} tasks at once (after a common start signal) and returns their results in order. */
    private <T> List<T> race(int n, Function<Integer, T> task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Callable<T> call = () -> {
                start.await();
                return task.apply(index);
            };
            futures.add(pool.submit(call));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(120, TimeUnit.SECONDS));
        }
        return results;
    }

    private static Map<Claim, Long> count(List<Claim> claims) {
        return claims.stream().collect(Collectors.groupingBy(c -> c, Collectors.counting()));
    }
}
