package io.lambdarelay.examples.pager;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.examples.Env;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pages through {@code orders} by keyset: one unit is one page of {@code pageSize} rows after the
 * cursor, added to the running totals. The packet carries only the cursor (the last id read), the
 * page size, the pages and the totals, so a redelivered packet starts again exactly at its last
 * hand-off. When a page comes back short, {@link #onComplete} writes the totals to
 * {@code order_totals} and {@code pager_runs}, and the relay is torn down.
 *
 * <p>On Lambda: {@code DB_URL}, {@code DB_USER} and {@code DB_PASSWORD} name the database (an
 * H2 URL such as {@code jdbc:h2:tcp://host/orders}; for another database add its driver and build
 * the worker with its {@link DataSource}); {@code PAGE_COST_MS} (default 0) adds a pause per page.
 *
 * <p>Thread-safe: the pool hands each unit its own connection.
 */
public final class PagerWorker extends RelayWorker {
    /** Packet key: rows per page. */
    public static final String PAGE_SIZE = "pageSize";
    /** Packet key: the last id read; absent before the first page. */
    public static final String CURSOR = "cursor";
    /** Packet key: pages read so far. */
    public static final String PAGES = "pages";
    /** Packet key: the running totals, {@code [category, rows, amountSum, idSum]} per category. */
    public static final String TOTALS = "totals";

    private static final Logger LOG = LoggerFactory.getLogger(PagerWorker.class);
    private static final String FIRST_PAGE = "SELECT id, category, amount FROM orders ORDER BY id LIMIT ?";

    private final DataSource db;
    private final long pageCostMillis;

    /** For Lambda: a relay with the environment's clients and the database the environment names. */
    public PagerWorker() {
        this(Relay.create(), fromEnvironment(Env.system()), Env.system().getLong("PAGE_COST_MS", 0));
    }

    /**
     * For local runs and tests.
     *
     * @param relay the relay
     * @param db the database holding {@code orders} and the result tables
     * @param pageCostMillis a pause after each page, standing in for per-row work that takes time
     *     (calls, writes elsewhere); 0 for none
     */
    public PagerWorker(Relay relay, DataSource db, long pageCostMillis) {
        super(relay);
        this.db = Objects.requireNonNull(db, "db");
        if (pageCostMillis < 0) {
            throw new IllegalArgumentException("pageCostMillis must not be negative, got " + pageCostMillis);
        }
        this.pageCostMillis = pageCostMillis;
    }

    /**
     * Opens the database the environment names: {@code DB_URL}, {@code DB_USER}, {@code DB_PASSWORD}.
     *
     * @param env the environment
     * @return a small connection pool
     * @throws IllegalStateException if {@code DB_URL} is unset or not an H2 URL
     */
    public static DataSource fromEnvironment(Env env) {
        String url = env.require("DB_URL");
        if (!url.startsWith("jdbc:h2:")) {
            throw new IllegalStateException("DB_URL must be an H2 URL (jdbc:h2:...), got a '"
                    + url.substring(0, Math.min(url.length(), 12)) + "...' URL; for another database add its driver "
                    + "and construct the worker with its DataSource");
        }
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, env.get("DB_USER", "sa"), env.get("DB_PASSWORD", ""));
        pool.setMaxConnections(2);
        return pool;
    }

    @Override
    protected boolean processUnit(RelayPacket pkt) throws SQLException, InterruptedException {
        int pageSize = pkt.getInt(PAGE_SIZE, PagerStart.DEFAULT_PAGE_SIZE);
        boolean first = !pkt.has(CURSOR);
        long cursor = pkt.getLong(CURSOR, 0);
        PagerTotals totals = PagerTotals.fromRows(pkt.get(TOTALS, long[][].class));
        int rows = 0;
        try (Connection c = db.getConnection();
                PreparedStatement page = c.prepareStatement(first ? FIRST_PAGE : PagerSql.PAGE)) {
            int i = 1;
            if (!first) {
                page.setLong(i++, cursor);
            }
            page.setInt(i, pageSize);
            try (ResultSet rs = page.executeQuery()) {
                while (rs.next()) {
                    cursor = rs.getLong(1);
                    totals.add(rs.getInt(2), rs.getLong(3), cursor);
                    rows++;
                }
            }
        }
        if (pageCostMillis > 0) {
            Thread.sleep(pageCostMillis);
        }
        if (rows > 0) {
            pkt.put(CURSOR, cursor);
        }
        pkt.put(PAGES, pkt.getLong(PAGES, 0) + 1);
        pkt.putObject(TOTALS, totals.toRows());
        return rows == pageSize;
    }

    @Override
    protected void onComplete(RelayPacket pkt, Context context) throws SQLException {
        PagerTotals totals = PagerTotals.fromRows(pkt.get(TOTALS, long[][].class));
        long pages = pkt.getLong(PAGES, 0);
        PagerSql.writeResult(db, pkt.relayId(), totals, pages, pkt.hop());
        LOG.info("pager relay {} finished: {} rows in {} pages over {} hops", pkt.relayId(), totals.rows(), pages,
                pkt.hop());
    }
}
