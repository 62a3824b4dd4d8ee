package io.lambdarelay.examples.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.Relay;
import io.lambdarelay.examples.pager.PagerSql;
import io.lambdarelay.examples.pager.PagerStart;
import io.lambdarelay.examples.pager.PagerTotals;
import io.lambdarelay.examples.pager.PagerWorker;
import io.lambdarelay.examples.vendor.VendorStart;
import io.lambdarelay.examples.vendor.VendorWorker;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.faults.FaultCheck;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/**
 * Both examples under every fault class of the fault model, with {@link FaultCheck}: the result
 * stays exact, and the units that ran more than once are listed (the report is printed into
 * target/surefire-reports and shown in docs/guide.md).
 */
class FaultCheckExamplesTest {

    private static final Duration WORKER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(40);

    @Test
    void vendorFanOut_makesEveryCallExactlyOnce_underEveryFault() {
        int calls = 40;
        FaultCheck.Report report = FaultCheck.of(run -> {
            LocalAws aws = run.aws();
            try (LocalVendorApi vendor = new LocalVendorApi(calls, 1_000_000)) {
                Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                        .clock(aws.clock()).ledger(new InMemoryRelayLedger())
                        .beforeUnit(pkt -> run.unit("call " + pkt.getLong(VendorWorker.NEXT, 0))).build();
                aws.registerFunction("vendor-worker", WORKER_TIMEOUT, new VendorWorker(relay, vendor.uri()));
                LocalJob job = new LocalJob(aws);
                job.registerStart("vendor-start", new VendorStart(relay, "vendor-worker", 1_000_000));
                // Paced to 20 calls/s, each of the 2 parts needs about 2 s: more than a 2-second worker's
                // budget, so every part hands off at least once.
                job.invokeStart("vendor-start", Map.of("calls", calls, "parts", 2, "concurrency", 2,
                        "rate", 20, "adaptive", 0));
                aws.awaitIdle(WAIT);
                return vendor.ok() + " calls answered, " + vendor.lost() + " lost, " + vendor.duplicates()
                        + " made twice";
            }
        }).expect(calls + " calls answered, 0 lost, 0 made twice").run();
        System.out.println("vendor fan-out under faults:\n" + report.table());

        assertTrue(report.allExact(), report.table());
        report.outcomes().forEach(o -> assertTrue(o.faultFired(), o.fault() + " never fired:\n" + report.table()));
        assertFalse(report.of(FaultCheck.FaultClass.KILLED_AFTER_UNIT).repeatedUnits().isEmpty(),
                "a unit done before the kill ran again (the vendor's idempotency key absorbed it):\n" + report.table());
        assertTrue(report.of(FaultCheck.FaultClass.KILLED_AFTER_HAND_OFF).repeatedUnits().isEmpty(),
                "a kill after the hand-off repeats nothing:\n" + report.table());
    }

    @Test
    void pagerChain_totalsStayExact_underEveryFault() throws Exception {
        int rows = 3_000; // 16 pages of 150 ms: a few hops of a 2-second worker
        String url = "jdbc:h2:mem:fault-check-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcConnectionPool db = JdbcConnectionPool.create(url, "sa", "");
        try {
            PagerSql.createTables(db);
            PagerSql.seed(db, rows);
            PagerTotals direct = PagerSql.direct(db);
            FaultCheck.Report report = FaultCheck.of(run -> {
                LocalAws aws = run.aws();
                Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                        .clock(aws.clock()).ledger(new InMemoryRelayLedger())
                        .beforeUnit(pkt -> run.unit("page after id " + pkt.getLong(PagerWorker.CURSOR, 0))).build();
                aws.registerFunction("pager-worker", WORKER_TIMEOUT, new PagerWorker(relay, db, 150));
                LocalJob job = new LocalJob(aws);
                job.registerStart("pager-start", new PagerStart(relay, "pager-worker"));
                String relayId = (String) job.invokeStart("pager-start", Map.of("pageSize", 200)).get("relayId");
                aws.awaitIdle(WAIT);
                Optional<PagerTotals> totals = PagerSql.readResult(db, relayId);
                return totals.isPresent() && totals.get().equals(direct) ? "totals equal a direct GROUP BY"
                        : totals.map(t -> "totals differ: " + t.differences(direct)).orElse("no result written");
            }).expect("totals equal a direct GROUP BY").run();
            System.out.println("pager chain under faults:\n" + report.table());

            assertTrue(report.allExact(), report.table());
            report.outcomes().forEach(o -> assertTrue(o.faultFired(), o.fault() + " never fired:\n" + report.table()));
            assertFalse(report.of(FaultCheck.FaultClass.DELIVERED_TWICE).repeatedUnits().isEmpty(),
                    "both invocations read the first pages:\n" + report.table());
        } finally {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            db.dispose();
        }
    }
}
