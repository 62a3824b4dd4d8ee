package io.lambdarelay.examples.quickstart;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayWorker;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The README's worker: imports the file at the packet's {@code url} 500 rows per unit, through
 * its {@link RowImporter}, over as many invocations as the file takes. Thread-safe.
 */
public final class ImportWorker extends RelayWorker {
    private final RowImporter importer;

    /** Lambda calls this one: the relay's clients and the database come from the function's environment. */
    public ImportWorker() {
        this(Relay.create(), RowImporter.fromEnvironment());
    }

    /** Tests call this one, with a relay on LocalAws and a test database. */
    public ImportWorker(Relay relay, RowImporter importer) {
        super(relay);
        this.importer = Objects.requireNonNull(importer, "importer");
    }

    @Override
    protected boolean processUnit(RelayPacket pkt) throws IOException, SQLException {
        long offset = pkt.getLong("offset", 0);
        int imported = importer.importRows(pkt.getString("url"), offset, 500);  // one small unit
        pkt.put("offset", offset + imported);
        return imported == 500;                                                 // true: more to do
    }
}
