package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The README's 30-second example, as written there, with {@code static final Relay RELAY =
 * Relay.create()} and a worker without a constructor, runs on {@code LocalAws} in its
 * system-property mode: the clients {@code Relay.create()} builds find the local endpoints.
 */
class ReadmeExampleTest {
    private static final int ROWS = 2_600;
    /** What the worker imported, per row offset: each must be there exactly once. */
    private static final Map<Long, AtomicInteger> IMPORTED = new ConcurrentHashMap<>();

    /** The README's start function. */
    public static final class StartImport implements RequestHandler<Map<String, String>, String> {
        private static final Relay RELAY = Relay.create();

        @Override
        public String handleRequest(Map<String, String> input, Context context) {
            RelayPacket pkt = RELAY.setup(context, "importWorker");   // queue + DLQ + mapping
            pkt.put("s3Key", input.get("s3Key")).put("offset", 0L);
            RELAY.relayPass(pkt);                                     // one SendMessage
            return pkt.relayId();
        }
    }

    /** The README's worker; {@code importRows} stands in for reading a file from S3. */
    public static final class ImportWorker extends RelayWorker {
        @Override
        protected boolean processUnit(RelayPacket pkt) {
            long offset = pkt.getLong("offset", 0);
            int imported = importRows(pkt.getString("s3Key"), offset, 500);   // one small unit
            pkt.put("offset", offset + imported);
            return imported == 500;                                           // true: more to do
        }

        private static int importRows(String s3Key, long offset, int max) {
            int n = (int) Math.max(0, Math.min(max, ROWS - offset));
            for (long row = offset; row < offset + n; row++) {
                IMPORTED.computeIfAbsent(row, r -> new AtomicInteger()).incrementAndGet();
            }
            return n;
        }
    }

    @Test
    void readmeStartHandlerAndWorker_runUnchanged_onLocalAwsSystemProperties() {
        try (LocalAws aws = LocalAws.builder().systemProperties(true).start()) {
            aws.registerFunction("importWorker", Duration.ofSeconds(30), new ImportWorker());

            String relayId = new StartImport().handleRequest(Map.of("s3Key", "big/file.csv"),
                    LocalContext.of("startImport", Duration.ofSeconds(30)));
            aws.awaitIdle(Duration.ofSeconds(60));

            assertTrue(relayId != null && !relayId.isEmpty());
            assertEquals(ROWS, IMPORTED.size(), "every row imported");
            assertTrue(IMPORTED.values().stream().allMatch(n -> n.get() == 1), "no row imported twice");
            assertEquals(List.of(), aws.sqsClient().listQueues().queueUrls(), "tearDown deleted queue and DLQ");
            assertEquals(List.of(), aws.lambdaClient().listEventSourceMappings().eventSourceMappings());
            assertEquals(0, aws.stats().timeouts() + aws.stats().functionErrors());
        }
    }
}
