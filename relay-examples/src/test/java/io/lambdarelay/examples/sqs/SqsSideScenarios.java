package io.lambdarelay.examples.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.Relay;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.examples.local.LocalVendorApi;
import io.lambdarelay.examples.pager.PagerSql;
import io.lambdarelay.examples.pager.PagerStart;
import io.lambdarelay.examples.pager.PagerTotals;
import io.lambdarelay.examples.pager.PagerWorker;
import io.lambdarelay.examples.vendor.VendorStart;
import io.lambdarelay.examples.vendor.VendorWorker;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.RecordingLambda;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcConnectionPool;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The SQS side of both examples against a given SQS (LocalStack's, or the embedded one): the start
 * handler's setup creates real queues, {@link ManualMapping} plays the mapping, the worker passes
 * and tears down, and the test checks queue attributes, tags, the job's result and that both
 * queues are gone. Lambda is {@link RecordingLambda}: nothing is deployed.
 */
final class SqsSideScenarios {
    private static final Duration WORKER_TIMEOUT = Duration.ofSeconds(2);

    private SqsSideScenarios() {
    }

    static void pager(SqsClient sqs, String region) throws Exception {
        RecordingLambda lambda = new RecordingLambda(region).function("pager-worker", (int) WORKER_TIMEOUT.toSeconds());
        // No ledger, as on AWS: at-least-once hand-offs, which the packet-carried cursor makes exact.
        Relay relay = Relay.builder().sqsClient(sqs).lambdaClient(lambda).build();
        JdbcConnectionPool db = JdbcConnectionPool.create("jdbc:h2:mem:sqs-side-" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1", "sa", "");
        try {
            PagerSql.createTables(db);
            PagerSql.seed(db, 20_000);
            Map<String, Object> started = new PagerStart(relay, "pager-worker")
                    .handleRequest(Map.of("pageSize", 500), LocalContext.of("pager-start", Duration.ofSeconds(30)));
            String relayId = (String) started.get("relayId");
            String queueUrl = (String) started.get("queueUrl");
            String queueArn = checkSetup(sqs, lambda, relayId, queueUrl, "pager");

            // 41 pages of 60 ms take about 2.5 s: more than one 2 s invocation.
            int invocations = ManualMapping.drive(sqs, lambda, new PagerWorker(relay, db, 60), queueUrl, queueArn,
                    "pager-worker", WORKER_TIMEOUT, Duration.ofMinutes(2));

            assertTrue(invocations >= 2, "the chain took " + invocations + " invocation(s)");
            PagerTotals direct = PagerSql.direct(db);
            assertEquals(20_000, direct.rows());
            assertEquals(direct, PagerSql.readResult(db, relayId).orElseThrow());
            assertRelayQueuesGone(sqs, relayId);
        } finally {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            db.dispose();
        }
    }

    static void vendor(SqsClient sqs, String region) {
        RecordingLambda lambda = new RecordingLambda(region).function("vendor-worker", (int) WORKER_TIMEOUT.toSeconds());
        InMemoryRelayLedger ledger = new InMemoryRelayLedger();
        Relay relay = Relay.builder().sqsClient(sqs).lambdaClient(lambda).ledger(ledger).build();
        try (LocalVendorApi vendor = new LocalVendorApi(400, 400)) {
            Map<String, Object> started = new VendorStart(relay, "vendor-worker", 400).handleRequest(
                    Map.of("calls", 400, "parts", 4, "concurrency", 2),
                    LocalContext.of("vendor-start", Duration.ofSeconds(30)));
            String relayId = (String) started.get("relayId");
            String queueUrl = (String) started.get("queueUrl");
            String queueArn = checkSetup(sqs, lambda, relayId, queueUrl, "vendor");

            int invocations = ManualMapping.drive(sqs, lambda, new VendorWorker(relay, vendor.uri()), queueUrl,
                    queueArn, "vendor-worker", WORKER_TIMEOUT, Duration.ofMinutes(2));

            assertTrue(invocations >= 4, "one invocation per part at least, got " + invocations);
            assertEquals(400, vendor.ok());
            assertEquals(0, vendor.lost());
            assertEquals(0, vendor.duplicates());
            assertEquals(4, ledger.tally(relayId).done());
            assertRelayQueuesGone(sqs, relayId);
        }
    }

    /** Checks what setup created, as SQS reports it; returns the queue ARN. */
    private static String checkSetup(SqsClient sqs, RecordingLambda lambda, String relayId, String queueUrl,
            String example) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertEquals(Long.toString(6 * WORKER_TIMEOUT.toSeconds()), a.get(QueueAttributeName.VISIBILITY_TIMEOUT),
                "visibility timeout is six times the worker's timeout");
        String redrive = a.get(QueueAttributeName.REDRIVE_POLICY);
        String max = "\"maxReceiveCount\":" + (3 + RelaySetup.REDRIVE_BACKSTOP);
        assertTrue(redrive != null && (redrive.contains(max) || redrive.contains(max.replace(":", ":\"") + "\"")),
                "redrive policy (3 attempts, then the backstop): " + redrive);
        Map<String, String> tags = sqs.listQueueTags(r -> r.queueUrl(queueUrl)).tags();
        assertEquals(relayId, tags.get(Relay.TAG_RELAY_ID));
        assertEquals("queue", tags.get(Relay.TAG_ROLE));
        assertEquals(example, tags.get("example"));
        assertEquals(1, lambda.mappings().size(), "setup created one mapping");
        assertEquals(a.get(QueueAttributeName.QUEUE_ARN), lambda.mappings().values().iterator().next());
        assertEquals(RecursiveLoop.ALLOW, lambda.recursion(example + "-worker"), "setup allowed the worker's recursion");
        return a.get(QueueAttributeName.QUEUE_ARN);
    }

    private static void assertRelayQueuesGone(SqsClient sqs, String relayId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left;
        do {
            left = sqs.listQueues(r -> r.queueNamePrefix("relay-")).queueUrls().stream()
                    .filter(u -> u.contains(relayId)).toList();
            if (left.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("tear-down left queues " + left);
    }
}
