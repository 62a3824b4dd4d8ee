package io.lambdarelay.examples.local;

import static io.lambdarelay.examples.local.LocalJob.n;
import static io.lambdarelay.examples.local.LocalJob.secs;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayCost;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.examples.pager.PagerSql;
import io.lambdarelay.examples.pager.PagerStart;
import io.lambdarelay.examples.pager.PagerTotals;
import io.lambdarelay.examples.pager.PagerWorker;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.local.IdleTimeoutException;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalStats;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The pager example on {@code LocalAws}: seeds an in-memory H2 table, runs the relay through the
 * start and worker handlers, prints a progress line a second, and checks the result against a
 * direct {@code GROUP BY}.
 */
public final class PagerRun {
    /** Worker function name on the local stack. */
    public static final String WORKER = "pager-worker";
    /** Start function name on the local stack. */
    public static final String START = "pager-start";

    /**
     * What to run.
     *
     * @param rows rows in {@code orders}
     * @param pageSize rows per page (per unit)
     * @param pageCostMillis pause per page, standing in for per-row work
     * @param workerTimeout the worker function's timeout
     * @param maxWait how long the job may take before the run gives up
     */
    public record Options(long rows, int pageSize, long pageCostMillis, Duration workerTimeout, Duration maxWait) {
        /** The main command's defaults: 1,000,000 rows, 1,000 a page, 30 ms a page, 2 s timeout. */
        public static Options defaults() {
            return sized(1_000_000, PagerStart.DEFAULT_PAGE_SIZE, 30, Duration.ofSeconds(2));
        }

        /**
         * Options that allow three times the pauses' total (at least ten minutes) to finish.
         *
         * @param rows rows in {@code orders}
         * @param pageSize rows per page
         * @param pageCostMillis pause per page
         * @param workerTimeout the worker function's timeout
         * @return the options
         */
        public static Options sized(long rows, int pageSize, long pageCostMillis, Duration workerTimeout) {
            long pauses = (rows / Math.max(1, pageSize) + 1) * pageCostMillis;
            return new Options(rows, pageSize, pageCostMillis, workerTimeout,
                    Duration.ofMillis(Math.max(Duration.ofMinutes(10).toMillis(), 3 * pauses)));
        }
    }

    /**
     * What happened.
     *
     * @param exact the relay's totals equal the direct query's, and cover every row
     * @param rows rows the relay aggregated
     * @param pages pages read
     * @param hops hand-offs of the chain
     * @param invocations all invocations, start included
     * @param workerInvocations worker invocations
     * @param timeouts invocations that overran their timeout
     * @param dlqMessages messages left in dead-letter queues
     * @param leftoverQueues queues left after the run
     * @param leftoverMappings event-source mappings left after the run
     * @param checks the verdict's rules; a timeout the relay recovered from is not one of them
     * @param summary the closing summary's lines
     */
    public record Result(boolean exact, long rows, long pages, long hops, long invocations, long workerInvocations,
            long timeouts, long dlqMessages, long leftoverQueues, long leftoverMappings, List<Check> checks,
            List<String> summary) {
        /** {@return whether every check passed} */
        public boolean passed() {
            return Check.allPassed(checks);
        }
    }

    private final Options options;
    private final boolean pooled;

    /**
     * Creates a run.
     *
     * @param options what to run
     */
    public PagerRun(Options options) {
        this(options, false);
    }

    /**
     * Creates a run in either mode.
     *
     * @param options what to run
     * @param pooled {@code true} to run the relay in the worker's pool (pooled mode), {@code false}
     *     on a queue and mapping of its own
     */
    public PagerRun(Options options, boolean pooled) {
        this.options = options;
        this.pooled = pooled;
    }

    /**
     * Runs the example.
     *
     * @param out where progress and the summary go
     * @return what happened
     * @throws SQLException if H2 fails
     */
    public Result run(PrintStream out) throws SQLException {
        long started = System.nanoTime();
        String url = "jdbc:h2:mem:pager-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        JdbcConnectionPool db = JdbcConnectionPool.create(url, "sa", "");
        db.setMaxConnections(4);
        try {
            // LocalAws starts (about a second) while H2 is seeded.
            CompletableFuture<LocalAws> aws = CompletableFuture.supplyAsync(LocalAws::start);
            PagerSql.createTables(db);
            PagerSql.seed(db, options.rows());
            long seeded = System.nanoTime();
            out.println("pager: seeded " + n(options.rows()) + " rows into H2 in " + secs(seeded - started)
                    + "; worker timeout " + options.workerTimeout().toMillis() / 1000.0 + " s, " + n(options.pageSize())
                    + " rows a page, " + options.pageCostMillis() + " ms of work a page");
            return runRelay(aws.join(), db, out, started, seeded);
        } finally {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            db.dispose();
        }
    }

    private Result runRelay(LocalAws aws, JdbcConnectionPool db, PrintStream out, long started, long seeded)
            throws SQLException {
        try {
            LocalJob job = new LocalJob(aws);
            InMemoryRelayLedger ledger = new InMemoryRelayLedger();
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                    .ledger(ledger).build();
            aws.registerFunction(WORKER, options.workerTimeout(), new PagerWorker(relay, db, options.pageCostMillis()));
            job.registerStart(START, new PagerStart(relay, WORKER));

            long jobStart = System.nanoTime();
            Map<String, Object> started0 = job.invokeStart(START, Map.of("pageSize", options.pageSize(), "pooled", pooled ? 1 : 0));
            String relayId = (String) started0.get("relayId");
            RelayPacket pkt = RelayPacket.fromJson((String) started0.get("packet"));
            String queue = LocalJob.queueName(pkt.queueUrl());
            long totalPages = options.rows() / options.pageSize() + 1;
            String gaveUp = null;
            LocalJob.Ticker ticker = new LocalJob.Ticker(out, () -> {
                long pages = LocalJob.progress(pkt, ledger).units();
                LocalStats s = aws.stats();
                long rows = Math.min(options.rows(), pages * options.pageSize());
                double elapsed = (System.nanoTime() - jobStart) / 1e9;
                return String.format(Locale.ROOT, "[pager] %5.1f s  hops %4d  pages %,7d/%,d  rows %,10d  %,8.0f rows/s"
                        + "  invocations %4d  timeouts %d", elapsed, s.messagesSent(queue), pages, totalPages, rows,
                        rows / Math.max(elapsed, 1e-3), s.invocations(), s.timeouts());
            });
            try (ticker) {
                aws.awaitIdle(options.maxWait());
            } catch (IdleTimeoutException e) {
                gaveUp = "gave up waiting after " + secs(options.maxWait().toNanos()) + ": " + e.getMessage();
            }
            long jobEnd = System.nanoTime();

            Optional<PagerTotals> result = PagerSql.readResult(db, relayId);
            long[] run = PagerSql.readRun(db, relayId).orElse(new long[] {0, 0});
            long directStart = System.nanoTime();
            PagerTotals direct = PagerSql.direct(db);
            long directNanos = System.nanoTime() - directStart;
            long[] left = job.leftovers();
            LocalStats s = aws.stats();
            long dlq = s.dlqMessages().values().stream().mapToLong(Long::longValue).sum();
            boolean exact = result.isPresent() && result.get().equals(direct) && direct.rows() == options.rows();

            String totals;
            if (exact) {
                totals = direct.categories() + " categories, " + n(direct.rows()) + " rows; row counts, amount sums "
                        + "and id sums equal a direct GROUP BY (no row twice, none missed)";
            } else if (result.isEmpty()) {
                totals = "the relay wrote no result";
            } else {
                totals = "totals differ from the direct query: " + result.get().differences(direct);
            }
            List<Check> checks = new ArrayList<>();
            checks.add(new Check("exact totals", exact, totals));
            checks.addAll(LocalJob.commonChecks(gaveUp, dlq, left, pooled));
            if (pooled) {
                checks.add(new Check("ended in the ledger", ledger.pooledRelay(relayId).map(p -> p.control()
                        == PooledRelay.Control.ENDED).orElse(false), "the pooled relay's entry says "
                        + ledger.pooledRelay(relayId).map(p -> p.control().toString()).orElse("nothing")));
            }
            RelayCost cost = ledger.cost(relayId).orElse(RelayCost.ZERO);
            checks.add(new Check("cost counted for every hop", cost.hops() == run[1] && run[1] > 0,
                    n(cost.hops()) + " hops in the cost, " + n(run[1]) + " hand-offs of the chain"));

            List<String> lines = new ArrayList<>();
            checks.forEach(c -> lines.add("check               " + c.line()));
            lines.add("rows / pages        " + n(result.map(PagerTotals::rows).orElse(0L)) + " rows in " + n(run[0])
                    + " pages");
            lines.add("hops                " + n(run[1]) + " (one chain; each hop is one worker invocation, up to "
                    + options.workerTimeout().toMillis() / 1000.0 + " s)");
            lines.add("invocations         " + n(s.invocations()) + " (start " + job.invocations(START) + ", worker "
                    + (s.invocations() - job.invocations(START)) + ")");
            lines.add("timeouts            " + LocalJob.timeouts(s.timeouts()));
            lines.add(LocalJob.costLine(cost));
            lines.add("wall time           " + secs(System.nanoTime() - started) + " (seeding " + secs(seeded - started)
                    + ", relay " + secs(jobEnd - jobStart) + ", direct query " + secs(directNanos) + ")");
            Result r = new Result(exact, result.map(PagerTotals::rows).orElse(0L), run[0], run[1], s.invocations(),
                    s.invocations() - job.invocations(START), s.timeouts(), dlq, left[0], left[1], List.copyOf(checks),
                    List.copyOf(lines));
            out.println("pager summary: " + (r.passed() ? "PASSED" : "FAILED"));
            lines.forEach(l -> out.println("  " + l));
            return r;
        } finally {
            aws.close();
        }
    }
}
