package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import io.lambdarelay.testing.Fixtures;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A relay's own value mapper ({@code Relay.builder().valueMapper(..)}): every packet the relay sets
 * up, splits, copies or reads (in a worker too) writes and reads objects with it, while the
 * packet's reserved keys keep the library's layout. The mapper here writes snake_case names, which
 * the library's default mapper cannot read back into the record.
 */
class ValueMapperTest extends OnEmbeddedSqs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant SINCE = Instant.parse("2026-12-01T10:15:30Z");

    /**
     * A job description.
     *
     * @param s3Key where the input is
     * @param since when the job was asked for
     */
    record Job(String s3Key, Instant since) {
    }

    private static final Job JOB = new Job("big/file.csv", SINCE);

    private RecordingLambda lambda;
    private Relay relay;

    private static ObjectMapper snakeCase() {
        return Relay.defaultValueMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }

    @BeforeEach
    void setUp() {
        lambda = new RecordingLambda(SqsServer.REGION).function("worker", 10);
        relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).valueMapper(snakeCase()).build();
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    private String queueArn(String url) {
        return sqs.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private Message take(String queueUrl) {
        List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(1)).messages();
        assertEquals(1, msgs.size());
        return msgs.get(0);
    }

    @Test
    void setupPacket_writesObjectsWithTheRelaysMapper_whileReservedKeysKeepTheLibrarysLayout() throws Exception {
        RelayPacket pkt = relay.setup(null, "worker").putObject("job", JOB);

        JsonNode wire = JSON.readTree(pkt.toJson());
        assertEquals("big/file.csv", wire.get("job").get("s3_key").textValue());
        assertEquals("2026-12-01T10:15:30Z", wire.get("job").get("since").textValue());
        assertTrue(wire.has("QueueUrl") && wire.has("UUID"), pkt.toJson());
        assertTrue(wire.get("stats").has("sqsCount") && wire.get("stats").has("relayId"), "not sqs_count: " + pkt.toJson());
        assertEquals(JOB, pkt.get("job", Job.class));
    }

    @Test
    void packetAWorkerReads_readsObjectsWithTheRelaysMapper() {
        RelayPacket pkt = relay.setup(null, "worker").putObject("job", JOB);
        relay.relayPass(pkt);
        Message m = take(pkt.queueUrl());
        SQSMessage record = Fixtures.eventFor(queueArn(pkt.queueUrl()), m.messageId(), m.body()).getRecords().get(0);

        assertEquals(JOB, relay.getRelayPkt(record).get("job", Job.class));
        InvalidPacketException e = assertThrows(InvalidPacketException.class,
                () -> RelayPacket.fromJson(m.body()).get("job", Job.class), "the library's mapper knows no snake_case");
        assertEquals(Reason.WRONG_TYPE, e.reason());
    }

    @Test
    void partsAndCopies_keepTheRelaysMapper() throws Exception {
        RelayPacket pkt = relay.setup(null, "worker");

        RelayPacket part = pkt.split(2).get(1).putObject("job", JOB);
        RelayPacket copy = pkt.copy().putObject("job", JOB);

        assertTrue(JSON.readTree(part.toJson()).get("job").has("s3_key"), part.toJson());
        assertTrue(JSON.readTree(copy.toJson()).get("job").has("s3_key"), copy.toJson());
    }

    @Test
    void aWorkersUnits_getPacketsWithTheRelaysMapper() {
        RelayPacket pkt = relay.setup(null, "worker").putObject("job", JOB);
        List<Job> seen = new ArrayList<>();
        RelayWorker worker = new RelayWorker(relay) {
            @Override
            protected boolean processUnit(RelayPacket p) {
                seen.add(p.get("job", Job.class));
                return false;
            }
        };

        SQSBatchResponse response = worker.handleRequest(Fixtures.eventFor(queueArn(pkt.queueUrl()), "m1", pkt.toJson()),
                LocalContext.of("worker", Duration.ofSeconds(10)));

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(List.of(JOB), seen);
    }

    @Test
    void theMapperIsCopiedAtBuild_laterChangesToItDoNotReachTheRelay() throws Exception {
        ObjectMapper mine = Relay.defaultValueMapper();
        Relay built = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).valueMapper(mine).build();
        mine.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).enable(SerializationFeature.INDENT_OUTPUT);

        RelayPacket pkt = built.setup(null, "worker").putObject("job", JOB);

        assertTrue(JSON.readTree(pkt.toJson()).get("job").has("s3Key"), pkt.toJson());
    }

    @Test
    void aMapperThatCannotBeCopied_isRefusedAtBuildSayingWhy() {
        ObjectMapper subclass = new ObjectMapper() { };
        Relay.Builder b = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).valueMapper(subclass);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);

        assertTrue(e.getMessage().startsWith("valueMapper: a " + subclass.getClass().getName() + " cannot be copied"),
                e.getMessage());
    }

    /** A resource that records whether it was closed. */
    static final class Resource implements Closeable {
        final AtomicBoolean closed = new AtomicBoolean();

        public String getName() {
            return "resource";
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void refusedTypes_areRefusedWithAUsersMapperToo_andAreNotClosed() {
        ObjectMapper lenient = Relay.defaultValueMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.CLOSE_CLOSEABLE);
        Relay built = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).valueMapper(lenient).build();
        RelayPacket pkt = built.setup(null, "worker");
        Resource resource = new Resource();

        assertEquals(Reason.UNWRITABLE_VALUE, assertThrows(InvalidPacketException.class,
                () -> pkt.putObject("t", new Thread(() -> { }))).reason());
        assertEquals(Reason.UNWRITABLE_VALUE, assertThrows(InvalidPacketException.class,
                () -> pkt.putObject("r", resource)).reason());
        assertEquals(Reason.UNWRITABLE_VALUE, assertThrows(InvalidPacketException.class,
                () -> pkt.putObject("rs", List.of(resource))).reason());
        assertFalse(resource.closed.get(), "the user's resource is still open");
    }

    @Test
    void aUnitThatPutsAnUnwritableValue_failsAsAUnit_notAsABodyThatIsNoPacket() {
        RelayPacket pkt = relay.setup(null, "worker");
        List<Exception> failures = new ArrayList<>();
        List<RelayPacket> failedPackets = new ArrayList<>();
        RelayWorker worker = new RelayWorker(relay) {
            @Override
            protected boolean processUnit(RelayPacket p) {
                p.putObject("worker", Thread.currentThread());
                return false;
            }

            @Override
            protected void onFailure(SQSMessage message, RelayPacket p, Exception error, Context context) {
                failures.add(error);
                failedPackets.add(p);
            }
        };
        SQSEvent event = Fixtures.eventFor(queueArn(pkt.queueUrl()), "m1", pkt.toJson());

        SQSBatchResponse response = worker.handleRequest(event, LocalContext.of("worker", Duration.ofSeconds(10)));

        assertEquals(List.of("m1"), response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList(), "retried like any failed unit");
        InvalidPacketException e = assertInstanceOf(InvalidPacketException.class, failures.get(0));
        assertEquals(Reason.UNWRITABLE_VALUE, e.reason());
        assertNotNull(failedPackets.get(0), "the hook gets the packet the unit worked on");
        assertEquals(0, sqs.client().receiveMessage(r -> r.queueUrl(pkt.deadLetterQueueUrl().orElseThrow()))
                .messages().size(), "not dead-lettered at the first attempt");
    }
}
