package io.lambdarelay.examples.quickstart;

import io.lambdarelay.examples.Env;
import io.lambdarelay.examples.pager.PagerWorker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The quick start's unit of work: imports lines of a text file, one row each, into the table
 * {@code imported_rows} of a database. The file is read from a URL: {@code https:} on Lambda (a
 * presigned S3 URL, say), {@code file:} in tests. Rows are merged by file URL and line number, so
 * a unit that runs again after a failure writes the same rows again rather than duplicates.
 *
 * <p>Each call reads the file from its start and skips the rows before {@code offset}: simple, and
 * fast enough for files of some hundred thousand lines; for much larger ones, keep a byte offset in
 * the packet and ask for the rest of the file with an HTTP range request.
 *
 * <p>Thread-safe when the {@link DataSource} is (a connection pool is).
 */
public final class RowImporter {
    /** Creates the table rows are imported into, if it is missing. */
    public static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS imported_rows ("
            + "url VARCHAR(4096) NOT NULL, line_no BIGINT NOT NULL, line VARCHAR NOT NULL, PRIMARY KEY (url, line_no))";

    private static final String MERGE = "MERGE INTO imported_rows (url, line_no, line) KEY (url, line_no) VALUES (?, ?, ?)";
    private static final String SELECT = "SELECT line FROM imported_rows WHERE url = ? ORDER BY line_no";
    private static final Set<String> SCHEMES = Set.of("https", "http", "file");
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int READ_TIMEOUT_MS = 30_000;

    private final DataSource db;

    /**
     * An importer into a given database, which must hold the table of {@link #CREATE_TABLE}.
     *
     * @param db the database
     */
    public RowImporter(DataSource db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * For Lambda: the H2 database that {@code DB_URL}, {@code DB_USER} and {@code DB_PASSWORD}
     * name, as for the pager example ({@link PagerWorker#fromEnvironment}).
     *
     * @return an importer into that database
     * @throws IllegalStateException if {@code DB_URL} is unset or not an H2 URL
     */
    public static RowImporter fromEnvironment() {
        return new RowImporter(PagerWorker.fromEnvironment(Env.system()));
    }

    /**
     * Creates the table if it is missing ({@link #CREATE_TABLE}).
     *
     * @throws SQLException if the database refuses
     */
    public void createTable() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(CREATE_TABLE);
        }
    }

    /**
     * Imports up to {@code max} lines of the file, from line {@code offset} (0 is the first).
     *
     * @param url the file's URL: {@code https:}, {@code http:} or {@code file:}
     * @param offset lines already imported
     * @param max the most lines to import
     * @return the lines imported: {@code max}, or fewer at the end of the file
     * @throws IllegalArgumentException if the URL is missing or of another scheme, or an argument is negative
     * @throws IOException if the file cannot be read
     * @throws SQLException if the database refuses the rows
     */
    public int importRows(String url, long offset, int max) throws IOException, SQLException {
        URI uri = checkedUri(url);
        if (offset < 0 || max < 0) {
            throw new IllegalArgumentException("offset and max must not be negative, got " + offset + " and " + max);
        }
        URLConnection connection = uri.toURL().openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.UTF_8));
                Connection c = db.getConnection();
                PreparedStatement merge = c.prepareStatement(MERGE)) {
            for (long skipped = 0; skipped < offset; skipped++) {
                if (in.readLine() == null) {
                    return 0;
                }
            }
            int imported = 0;
            String line;
            while (imported < max && (line = in.readLine()) != null) {
                merge.setString(1, url);
                merge.setLong(2, offset + imported);
                merge.setString(3, line);
                merge.addBatch();
                imported++;
            }
            if (imported > 0) {
                merge.executeBatch();
            }
            return imported;
        }
    }

    /**
     * The lines imported from a file, in the file's order.
     *
     * @param url the file's URL, as given to {@link #importRows}
     * @return its imported lines
     * @throws SQLException if the database refuses
     */
    public List<String> rows(String url) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement select = c.prepareStatement(SELECT)) {
            select.setString(1, url);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
        }
        return lines;
    }

    private static URI checkedUri(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the packet has no 'url': start the import with {\"url\": \"https://...\"}");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // The reason alone, without the cause, whose message quotes the URL: packet content stays out of messages.
            throw new IllegalArgumentException("the packet's 'url' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("the file's URL must be https:, http: or file:, got a '" + scheme
                    + "' URL");
        }
        return uri;
    }
}
