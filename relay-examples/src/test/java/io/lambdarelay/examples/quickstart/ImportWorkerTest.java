package io.lambdarelay.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lambdarelay.Relay;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalAwsExtension;
import io.lambdarelay.local.LocalContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The README's start function and worker, built with a relay on LocalAws (docs/guide.md, "Testing your worker"). */
@ExtendWith(LocalAwsExtension.class)
class ImportWorkerTest {

    @Test
    void importsEveryLineOnce_andLeavesNothingBehind(LocalAws aws, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("rows.csv");
        List<String> lines = IntStream.range(0, 2_600).mapToObj(i -> i + ",row " + i).toList();
        Files.write(file, lines);
        String url = file.toUri().toString();
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:import;DB_CLOSE_DELAY=-1");
        RowImporter importer = new RowImporter(db);
        importer.createTable();

        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
        aws.registerFunction("importWorker", Duration.ofSeconds(3), new ImportWorker(relay, importer));
        new StartImport(relay).handleRequest(Map.of("url", url), LocalContext.of("startImport", Duration.ofSeconds(30)));
        aws.awaitIdle(Duration.ofSeconds(60));

        assertEquals(lines, importer.rows(url));                                  // every line once, in order
        assertEquals(0, aws.stats().functionErrors() + aws.stats().timeouts());
        assertEquals(List.of(), aws.sqsClient().listQueues().queueUrls());       // queue and DLQ deleted
        assertEquals(List.of(), aws.lambdaClient().listEventSourceMappings().eventSourceMappings());
    }
}
