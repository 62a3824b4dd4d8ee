package io.lambdarelay.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lambdarelay.Relay;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start function's Lambda constructor, whose {@code Relay.create()} builds SDK clients from
 * the environment, runs unchanged on LocalAws in its system-property mode; so does a worker on
 * {@code Relay.create()}. (The worker's own no-argument constructor also opens the database that
 * {@code DB_URL} names, which a test JVM cannot set.)
 */
class QuickstartOnSdkDefaultsTest {

    @Test
    void lambdaConstructor_findsLocalAwsThroughSystemProperties(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rows.csv");
        List<String> lines = IntStream.range(0, 1_234).mapToObj(i -> "row " + i).toList();
        Files.write(file, lines);
        String url = file.toUri().toString();
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:sdkDefaults;DB_CLOSE_DELAY=-1");
        RowImporter importer = new RowImporter(db);
        importer.createTable();

        try (LocalAws aws = LocalAws.builder().systemProperties(true).start()) {
            aws.registerFunction("importWorker", Duration.ofSeconds(30), new ImportWorker(Relay.create(), importer));

            String relayId = new StartImport().handleRequest(Map.of("url", url),
                    LocalContext.of("startImport", Duration.ofSeconds(30)));
            aws.awaitIdle(Duration.ofSeconds(60));

            assertFalse(relayId.isEmpty());
            assertEquals(lines, importer.rows(url));
            assertEquals(0, aws.stats().functionErrors() + aws.stats().timeouts());
            assertEquals(List.of(), aws.sqsClient().listQueues().queueUrls(), "tearDown deleted queue and DLQ");
            assertEquals(List.of(), aws.lambdaClient().listEventSourceMappings().eventSourceMappings());
        }
    }
}
