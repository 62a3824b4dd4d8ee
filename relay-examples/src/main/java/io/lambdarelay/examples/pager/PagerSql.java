package io.lambdarelay.examples.pager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The pager's SQL: the source table {@code orders(id, category, amount)}, the keyset page query,
 * the result tables {@code order_totals} and {@code pager_runs}, and the direct query the result
 * is checked against. Plain SQL that H2, PostgreSQL and MySQL all accept, except {@link #seed},
 * which uses H2's {@code SYSTEM_RANGE}. Stateless and thread-safe.
 */
public final class PagerSql {
    /** The keyset page query: the rows after the cursor, by id. Needs an index on {@code id}. */
    public static final String PAGE = "SELECT id, category, amount FROM orders WHERE id > ? ORDER BY id LIMIT ?";
    /** The aggregate the relay computes, in one query: what the result is checked against. */
    public static final String DIRECT = "SELECT category, COUNT(*), SUM(amount), SUM(id) FROM orders "
            + "GROUP BY category ORDER BY category";

    private PagerSql() {
    }

    /**
     * Creates the source and result tables if they do not exist.
     *
     * @param db the database
     * @throws SQLException if the database refuses
     */
    public static void createTables(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, category INT NOT NULL, "
                    + "amount BIGINT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS order_totals (relay_id VARCHAR(64) NOT NULL, category INT NOT NULL, "
                    + "row_count BIGINT NOT NULL, amount_sum BIGINT NOT NULL, id_sum BIGINT NOT NULL, "
                    + "PRIMARY KEY (relay_id, category))");
            s.execute("CREATE TABLE IF NOT EXISTS pager_runs (relay_id VARCHAR(64) PRIMARY KEY, row_count BIGINT NOT NULL, "
                    + "pages BIGINT NOT NULL, hops BIGINT NOT NULL, finished_at TIMESTAMP NOT NULL)");
        }
    }

    /**
     * Fills {@code orders} with ids 1 to {@code rows}, 16 categories and amounts below 10,000,
     * spread by multiplicative hashing. H2 only.
     *
     * @param db the database, with the tables created
     * @param rows how many rows
     * @throws SQLException if the database refuses
     */
    public static void seed(DataSource db, long rows) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM orders");
            // One statement per 100,000 rows keeps H2's transaction small; SORTED appends to the index.
            for (long from = 1; from <= rows; from += 100_000) {
                long to = Math.min(rows, from + 99_999);
                s.execute("INSERT INTO orders DIRECT SORTED SELECT X, MOD(X * 7919, 16), MOD(X * 104729, 10000) "
                        + "FROM SYSTEM_RANGE(" + from + ", " + to + ")");
            }
        }
    }

    /**
     * Aggregates the whole table in one query.
     *
     * @param db the database
     * @return the totals a correct relay must reach
     * @throws SQLException if the database refuses
     */
    public static PagerTotals direct(DataSource db) throws SQLException {
        PagerTotals t = new PagerTotals();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(DIRECT)) {
            while (rs.next()) {
                t.set(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
        return t;
    }

    /**
     * Writes a finished relay's totals, replacing an earlier write of the same relay, so a
     * redelivered last packet writes the same result again rather than twice.
     *
     * @param db the database
     * @param relayId the relay
     * @param totals the totals
     * @param pages pages read
     * @param hops the relay's hops
     * @throws SQLException if the database refuses; nothing is written then
     */
    public static void writeResult(DataSource db, String relayId, PagerTotals totals, long pages, long hops)
            throws SQLException {
        try (Connection c = db.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM order_totals WHERE relay_id = ?");
                        PreparedStatement delRun = c.prepareStatement("DELETE FROM pager_runs WHERE relay_id = ?")) {
                    del.setString(1, relayId);
                    del.executeUpdate();
                    delRun.setString(1, relayId);
                    delRun.executeUpdate();
                }
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO order_totals "
                        + "(relay_id, category, row_count, amount_sum, id_sum) VALUES (?, ?, ?, ?, ?)")) {
                    for (long[] r : totals.toRows()) {
                        ins.setString(1, relayId);
                        ins.setInt(2, Math.toIntExact(r[0]));
                        ins.setLong(3, r[1]);
                        ins.setLong(4, r[2]);
                        ins.setLong(5, r[3]);
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
                try (PreparedStatement run = c.prepareStatement("INSERT INTO pager_runs "
                        + "(relay_id, row_count, pages, hops, finished_at) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
                    run.setString(1, relayId);
                    run.setLong(2, totals.rows());
                    run.setLong(3, pages);
                    run.setLong(4, hops);
                    run.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /**
     * Reads a finished relay's totals.
     *
     * @param db the database
     * @param relayId the relay
     * @return the totals, or empty if the relay has not finished
     * @throws SQLException if the database refuses
     */
    public static Optional<PagerTotals> readResult(DataSource db, String relayId) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement run = c.prepareStatement("SELECT 1 FROM pager_runs WHERE relay_id = ?")) {
                run.setString(1, relayId);
                try (ResultSet rs = run.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            PagerTotals t = new PagerTotals();
            try (PreparedStatement q = c.prepareStatement("SELECT category, row_count, amount_sum, id_sum "
                    + "FROM order_totals WHERE relay_id = ? ORDER BY category")) {
                q.setString(1, relayId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        t.set(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                    }
                }
            }
            return Optional.of(t);
        }
    }

    /**
     * Reads how many hops and pages a finished relay took.
     *
     * @param db the database
     * @param relayId the relay
     * @return {@code [pages, hops]}, or empty if the relay has not finished
     * @throws SQLException if the database refuses
     */
    public static Optional<long[]> readRun(DataSource db, String relayId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("SELECT pages, hops FROM pager_runs WHERE relay_id = ?")) {
            q.setString(1, relayId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(new long[] {rs.getLong(1), rs.getLong(2)}) : Optional.empty();
            }
        }
    }
}
