package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import io.lambdarelay.testing.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.PutFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ServiceException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Relay's SQS side against embedded ElasticMQ; its Lambda calls recorded whole. */
class RelayTest extends OnEmbeddedSqs {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    private RecordingLambda lambda;
    private Relay relay;

    @BeforeEach
    void newRelay() {
        lambda = new RecordingLambda(SqsServer.REGION).function("importWorker", 30);
        relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        sqs.resetCalls();
    }

    @AfterEach
    void cleanQueues() {
        sqs.deleteAllQueues();
    }

    private String queueArn(String url) {
        return sqs.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private Message receiveOne(String queueUrl) {
        List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(1)).messages();
        assertEquals(1, msgs.size(), "exactly one message on the queue");
        return msgs.get(0);
    }

    // ---- setup ---------------------------------------------------------------------------------

    @Test
    void setup_createsDlqAndQueueWithAttributesAndTags_thenTheMapping() throws Exception {
        RelayPacket pkt = relay.setup(LocalContext.of("start", Duration.ofSeconds(10)), "importWorker");

        assertNotNull(pkt.relayId());
        assertEquals(0, pkt.sqsCount());
        assertEquals(0, pkt.hop());
        assertEquals(NOW, pkt.createdAt().orElseThrow());
        String queueName = pkt.queueUrl().substring(pkt.queueUrl().lastIndexOf('/') + 1);
        assertEquals("relay-importWorker-" + pkt.relayId(), queueName);

        Map<QueueAttributeName, String> attrs = sqs.client().getQueueAttributes(r -> r.queueUrl(pkt.queueUrl())
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertEquals("180", attrs.get(QueueAttributeName.VISIBILITY_TIMEOUT), "6 x the worker's 30 s");
        JsonNode redrive = new ObjectMapper().readTree(attrs.get(QueueAttributeName.REDRIVE_POLICY));
        assertEquals(5 + RelaySetup.REDRIVE_BACKSTOP, redrive.get("maxReceiveCount").asInt(),
                "the worker's 5 attempts, then receives that never reached a worker");
        String dlqUrl = sqs.client().getQueueUrl(r -> r.queueName(queueName + "-dlq")).queueUrl();
        assertEquals(queueArn(dlqUrl), redrive.get("deadLetterTargetArn").asText());

        Map<String, String> tags = sqs.client().listQueueTags(r -> r.queueUrl(pkt.queueUrl())).tags();
        assertEquals(pkt.relayId(), tags.get(Relay.TAG_RELAY_ID));
        assertEquals("importWorker", tags.get(Relay.TAG_FUNCTION));
        assertEquals("2026-11-23T12:00:00Z", tags.get(Relay.TAG_CREATED));
        assertEquals("2026-11-24T12:00:00Z", tags.get(Relay.TAG_EXPIRES));
        assertEquals("queue", tags.get(Relay.TAG_ROLE));
        assertEquals("dlq", sqs.client().listQueueTags(r -> r.queueUrl(dlqUrl)).tags().get(Relay.TAG_ROLE));

        CreateEventSourceMappingRequest esm = lambda.requests(CreateEventSourceMappingRequest.class).get(0);
        assertEquals(CreateEventSourceMappingRequest.builder()
                .eventSourceArn(queueArn(pkt.queueUrl()))
                .functionName(lambda.arn("importWorker"))
                .enabled(true)
                .batchSize(1)
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                .build(), esm);
        assertEquals(esm.eventSourceArn(), lambda.mappings().get(pkt.mappingUuid()));
    }

    @Test
    void setup_setsRecursionToAllow_onceAndOnlyWhenNeeded() {
        relay.setup(null, "importWorker");
        assertEquals(RecursiveLoop.ALLOW, lambda.recursion("importWorker"));
        relay.setup(null, "importWorker");
        assertEquals(1, lambda.requests(PutFunctionRecursionConfigRequest.class).size());
    }

    @Test
    void setup_withRecursionOptOut_leavesTheConfigAlone() {
        relay.setup(null, "importWorker", RelaySetup.builder().manageRecursion(false).build());
        assertEquals(RecursiveLoop.TERMINATE, lambda.recursion("importWorker"));
        assertTrue(lambda.requests(PutFunctionRecursionConfigRequest.class).isEmpty());
    }

    @Test
    void setup_passesConcurrencyBatchAndWindowOptionsToTheMapping() {
        relay.setup(null, "importWorker", RelaySetup.builder().batchSize(20).maximumBatchingWindow(Duration.ofSeconds(2))
                .maximumConcurrency(5).maxReceiveCount(3).visibilityTimeout(Duration.ofMinutes(10)).build());
        CreateEventSourceMappingRequest esm = lambda.requests(CreateEventSourceMappingRequest.class).get(0);
        assertEquals(20, esm.batchSize());
        assertEquals(2, esm.maximumBatchingWindowInSeconds());
        assertEquals(5, esm.scalingConfig().maximumConcurrency());
    }

    @Test
    void setup_mappingFails_deletesBothQueues_noOrphans() {
        lambda.failCreateMapping(ServiceException.builder().message("boom").statusCode(500).build());
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> relay.setup(null, "importWorker"));
        assertTrue(e.getMessage().contains("could not create the event-source mapping"), e.getMessage());
        assertEquals("importWorker", e.functionName());
        assertNotNull(e.relayId());
        assertTrue(sqs.queueUrls().isEmpty(), "no queue left behind: " + sqs.queueUrls());
    }

    @Test
    void setup_unknownFunction_failsBeforeCreatingAnything() {
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> relay.setup(null, "nope"));
        assertTrue(e.getMessage().contains("worker function 'nope' does not exist"), e.getMessage());
        assertEquals(0, sqs.totalCalls());
    }

    @Test
    void setup_visibilityBelowSixTimesTheTimeout_isRefusedBeforeCreatingAnything() {
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> relay.setup(null, "importWorker",
                RelaySetup.builder().visibilityTimeout(Duration.ofSeconds(60)).build()));
        assertTrue(e.getMessage().contains("6 x 30 s = 180 s"), e.getMessage());
        assertEquals(0, sqs.totalCalls());
    }

    @Test
    void setup_callerNamedQueueThatExists_isRefusedAndTheExistingQueueSurvives() {
        String existing = sqs.client().createQueue(r -> r.queueName("taken")).queueUrl();
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> relay.setup(null, "importWorker",
                RelaySetup.builder().queueName("taken").build()));
        assertTrue(e.getMessage().contains("queue 'taken' already exists"), e.getMessage());
        assertEquals(List.of(existing), sqs.queueUrls());
    }

    @Test
    void setup_callerNamedQueue_isUsedWithDlqSuffix() {
        RelayPacket pkt = relay.setup(null, "importWorker", RelaySetup.builder().queueName("nightly-import").build());
        assertTrue(pkt.queueUrl().endsWith("/nightly-import"), pkt.queueUrl());
        assertNotNull(sqs.client().getQueueUrl(r -> r.queueName("nightly-import-dlq")).queueUrl());
    }

    @Test
    void setup_workerInAnotherRegion_isRefusedAndRolledBack() {
        RecordingLambda euLambda = new RecordingLambda("eu-west-1").function("importWorker", 30);
        Relay mixed = Relay.builder().sqsClient(sqs.client()).lambdaClient(euLambda).build();
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> mixed.setup(null, "importWorker"));
        assertTrue(e.getMessage().contains("same region"), e.getMessage());
        assertTrue(sqs.queueUrls().isEmpty());
    }

    @Test
    void setup_denyInsecureTransport_putsATlsOnlyPolicyOnBothQueues() throws Exception {
        // ElasticMQ accepts but does not keep queue policies, so the whole CreateQueue requests are checked
        RelayPacket pkt = relay.setup(null, "importWorker", RelaySetup.builder().denyInsecureTransport(true).build());
        List<software.amazon.awssdk.services.sqs.model.CreateQueueRequest> creates =
                sqs.requests(software.amazon.awssdk.services.sqs.model.CreateQueueRequest.class);
        assertEquals(2, creates.size());
        for (var create : creates) {
            JsonNode st = new ObjectMapper().readTree(create.attributes().get(QueueAttributeName.POLICY))
                    .get("Statement").get(0);
            assertEquals("Deny", st.get("Effect").asText());
            assertEquals("false", st.get("Condition").get("Bool").get("aws:SecureTransport").asText());
            assertEquals("arn:aws:sqs:us-east-1:000000000000:" + create.queueName(), st.get("Resource").asText());
        }
        assertEquals(queueArn(pkt.queueUrl()), "arn:aws:sqs:us-east-1:000000000000:" + creates.get(1).queueName());
    }

    @Test
    void setup_queueNameDeletedLessThanAMinuteAgo_explainsTheSixtySecondRule() {
        SqsClient refusing = new SqsClient() {
            @Override
            public software.amazon.awssdk.services.sqs.model.CreateQueueResponse createQueue(
                    software.amazon.awssdk.services.sqs.model.CreateQueueRequest request) {
                throw software.amazon.awssdk.services.sqs.model.QueueDeletedRecentlyException.builder()
                        .message("You must wait 60 seconds after deleting a queue before you can create another with the "
                                + "same name.").statusCode(400).build();
            }

            @Override
            public software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse getQueueUrl(
                    software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest request) {
                return sqs.client().getQueueUrl(request);
            }

            @Override
            public String serviceName() {
                return "sqs";
            }

            @Override
            public void close() {
            }
        };
        Relay r = Relay.builder().sqsClient(refusing).lambdaClient(lambda).build();
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> r.setup(null, "importWorker",
                RelaySetup.builder().queueName("nightly").build()));
        assertTrue(e.getMessage().contains("SQS refuses a queue name for 60 seconds after it was deleted"), e.getMessage());
        assertTrue(e.getCause() instanceof software.amazon.awssdk.services.sqs.model.QueueDeletedRecentlyException);
    }

    @Test
    void setupOptions_validateAndNameTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().maximumConcurrency(1).build())
                .getMessage().contains("maximumConcurrency must be 2 to 1000 (Lambda's limits), got 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().queueName("bad name").build())
                .getMessage().contains("got 'bad name'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().queueName("x".repeat(77)).build())
                .getMessage().contains("1 to 76 characters"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().queueName("jobs.fifo").build())
                .getMessage().contains("FIFO"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RelaySetup.builder().pooled(true).poolQueueName("jobs.fifo").build())
                .getMessage().contains("poolQueueName 'jobs.fifo' names a FIFO queue"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().batchSize(11).build())
                .getMessage().contains("maximumBatchingWindow of at least 1 second"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().maxReceiveCount(0).build())
                .getMessage().contains("maxReceiveCount must be 1 to 1000, got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelaySetup.builder().tag("lambda-relay:x", "y").build())
                .getMessage().contains("reserved prefix"));
        RelaySetup s = RelaySetup.builder().queueName("q").maximumConcurrency(3).build();
        assertEquals(s, s.toBuilder().build());
    }

    // ---- relayPass -----------------------------------------------------------------------------

    @Test
    void relayPass_sendsExactlyOneMessage_andIncrementsCountAndHop() {
        RelayPacket pkt = relay.setup(null, "importWorker").put("cursor", 10L);
        sqs.resetCalls();
        String id = relay.relayPass(pkt);
        assertEquals(1, sqs.calls("SendMessage"));
        assertEquals(1, sqs.totalCalls());
        assertEquals(1, pkt.sqsCount());
        assertEquals(1, pkt.hop());
        Message m = receiveOne(pkt.queueUrl());
        assertEquals(id, m.messageId());
        RelayPacket received = RelayPacket.fromJson(m.body());
        assertEquals(pkt.toJson(), received.toJson(), "what was sent is the packet as it is after the pass");
        assertEquals(10, received.getLong("cursor", 0));
    }

    @Test
    void relayPass_packetOver64KiB_throwsBeforeAnyNetworkCall_andLeavesCountersAlone() {
        RelayPacket pkt = relay.setup(null, "importWorker").put("blob", "x".repeat(70_000));
        sqs.resetCalls();
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class, () -> relay.relayPass(pkt));
        assertEquals(65_536, e.limitBytes());
        assertTrue(e.sizeBytes() > 70_000);
        assertTrue(e.getMessage().contains("move large data to S3"), e.getMessage());
        assertEquals(0, sqs.totalCalls());
        assertEquals(0, pkt.sqsCount());
        assertEquals(0, pkt.hop());
    }

    @Test
    void relayPass_withRaisedLimit_sendsALargePacket() {
        Relay big = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).maxPacketBytes(200_000).build();
        RelayPacket pkt = big.setup(null, "importWorker").put("blob", "x".repeat(150_000));
        big.relayPass(pkt);
        assertEquals(150_000, RelayPacket.fromJson(receiveOne(pkt.queueUrl()).body(), 200_000).getString("blob").length());
    }

    @Test
    void relayPass_delayUpTo15Minutes_isSqsDelay() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        relay.relayPass(pkt, Duration.ofSeconds(2));
        assertEquals(1, sqs.messagesHeld(pkt.queueUrl()));
        assertTrue(sqs.client().receiveMessage(r -> r.queueUrl(pkt.queueUrl())).messages().isEmpty(),
                "a delayed packet is not visible at once");
        assertTrue(pkt.notBefore().isEmpty());
    }

    @Test
    void relayPass_delayOver15Minutes_marksNotBefore_andAnEarlyWorkerPassesItOnWithoutWork() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        relay.relayPass(pkt, Duration.ofMinutes(40));
        assertEquals(NOW.plus(Duration.ofMinutes(40)), pkt.notBefore().orElseThrow());

        // 20 minutes later the packet arrives early: it is passed on for the remaining 20 minutes
        Relay later = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda)
                .clock(Clock.fixed(NOW.plus(Duration.ofMinutes(20)), ZoneOffset.UTC)).build();
        RelayPacket early = RelayPacket.fromJson(pkt.toJson());
        assertTrue(later.wiring().sender().deferIfNotDue(early));
        assertEquals(NOW.plus(Duration.ofMinutes(40)), early.notBefore().orElseThrow(), "20 minutes left: still over 15");
        assertEquals(2, early.sqsCount());

        // 30 minutes after the first pass, the last 10 minutes fit one SQS delay: the mark is cleared
        Relay laterStill = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda)
                .clock(Clock.fixed(NOW.plus(Duration.ofMinutes(30)), ZoneOffset.UTC)).build();
        assertTrue(laterStill.wiring().sender().deferIfNotDue(early));
        assertTrue(early.notBefore().isEmpty());
        assertEquals(3, early.sqsCount());
        assertEquals(3, sqs.messagesHeld(pkt.queueUrl()), "three delayed messages, none visible yet");
    }

    @Test
    void deferIfNotDue_dueOrUnmarkedPacket_isLeftForWork() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        assertFalse(relay.wiring().sender().deferIfNotDue(pkt));
        pkt.header(pkt.header().withNotBefore(NOW.minusSeconds(1)));
        assertFalse(relay.wiring().sender().deferIfNotDue(pkt));
        assertTrue(pkt.notBefore().isEmpty());
        assertEquals(0, pkt.sqsCount());
    }

    @Test
    void relayPass_negativeDelay_isRefused() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        assertThrows(IllegalArgumentException.class, () -> relay.relayPass(pkt, Duration.ofSeconds(-1)));
    }

    @Test
    void relayPass_queueGone_throwsTypedError_andCountersStay() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        relay.tearDown(pkt);
        RelayPassException e = assertThrows(RelayPassException.class, () -> relay.relayPass(pkt));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertEquals(pkt.queueUrl(), e.queueUrl());
        assertEquals(pkt.relayId(), e.relayId());
        assertEquals(0, pkt.sqsCount());
    }

    // ---- getRelayPkt ---------------------------------------------------------------------------

    @Test
    void getRelayPkt_readsTheFixtureEventInLambdasExactShape() {
        SQSEvent event = Fixtures.sqsEvent("sqs-event.json");
        RelayPacket pkt = relay.getRelayPkt(event);
        assertEquals("3f9a2c7be1d04a55", pkt.relayId());
        assertEquals(7, pkt.hop());
        assertEquals(4200, pkt.getLong("cursor", 0));
        assertEquals("orders", pkt.getString("table"));
    }

    @Test
    void getRelayPkt_fromAnotherRelaysQueue_isWrongQueue() {
        String body = Fixtures.sqsEvent("sqs-event.json").getRecords().get(0).getBody();
        SQSEvent event = Fixtures.eventFor("arn:aws:sqs:us-east-1:123456789012:some-other-queue", "m-9", body);
        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> relay.getRelayPkt(event));
        assertEquals(Reason.WRONG_QUEUE, e.reason());
        assertEquals("m-9", e.messageId());
        assertTrue(e.getMessage().contains("'some-other-queue'"), e.getMessage());
    }

    @Test
    void getRelayPkt_badBodies_areTypedErrorsWithTheMessageId() {
        String arn = "arn:aws:sqs:us-east-1:000000000000:q";
        assertEquals(Reason.EMPTY, assertThrows(InvalidPacketException.class,
                () -> relay.getRelayPkt(Fixtures.eventFor(arn, "m1", ""))).reason());
        InvalidPacketException e = assertThrows(InvalidPacketException.class,
                () -> relay.getRelayPkt(Fixtures.eventFor(arn, "m2", "{\"QueueUrl\":")));
        assertEquals(Reason.MALFORMED_JSON, e.reason());
        assertTrue(e.getMessage().endsWith("(SQS message m2)"), e.getMessage());
        String big = "{\"QueueUrl\":\"http://x/q\",\"UUID\":\"u\",\"p\":\"" + "x".repeat(65_536) + "\"}";
        assertEquals(Reason.TOO_LARGE, assertThrows(InvalidPacketException.class,
                () -> relay.getRelayPkt(Fixtures.eventFor(arn, "m3", big))).reason());
    }

    @Test
    void getRelayPkt_eventWithoutRecords_orSeveral_isExplained() {
        SQSEvent empty = new SQSEvent();
        assertEquals(Reason.EMPTY, assertThrows(InvalidPacketException.class, () -> relay.getRelayPkt(empty)).reason());
        SQSEvent two = Fixtures.eventFor("arn:aws:sqs:us-east-1:123456789012:relay-importWorker-3f9a2c7be1d04a55", "a",
                Fixtures.sqsEvent("sqs-event.json").getRecords().get(0).getBody());
        two.getRecords().add(two.getRecords().get(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> relay.getRelayPkt(two)).getMessage()
                .contains("use getRelayPkts"));
        assertEquals(2, relay.getRelayPkts(two).size());
    }

    // ---- tearDown ------------------------------------------------------------------------------

    @Test
    void tearDown_deletesMappingQueueAndEmptyDlq_andIsIdempotent() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        TearDownResult first = relay.tearDown(pkt);
        assertTrue(first.mappingDeleted());
        assertTrue(first.queueDeleted());
        assertTrue(first.dlqDeleted());
        assertFalse(first.dlqKept());
        assertTrue(sqs.queueUrls().isEmpty());
        assertTrue(lambda.mappings().isEmpty());

        TearDownResult second = relay.tearDown(pkt);
        assertFalse(second.mappingDeleted());
        assertFalse(second.queueDeleted());
        assertFalse(second.dlqDeleted());
    }

    @Test
    void tearDown_keepsANonEmptyDlq() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        String dlqUrl = pkt.deadLetterQueueUrl().orElseThrow();
        sqs.client().sendMessage(r -> r.queueUrl(dlqUrl).messageBody("{\"failed\":true}"));
        TearDownResult result = relay.tearDown(pkt);
        assertTrue(result.dlqKept());
        assertEquals(1, result.dlqMessages());
        assertEquals(List.of(dlqUrl), sqs.queueUrls());
    }

    @Test
    void tearDown_halfDeletedRelay_finishesTheRest() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        sqs.client().deleteQueue(r -> r.queueUrl(pkt.queueUrl()));
        TearDownResult result = relay.tearDown(pkt);
        assertTrue(result.mappingDeleted());
        assertFalse(result.queueDeleted());
        assertTrue(result.dlqDeleted());
        assertTrue(sqs.queueUrls().isEmpty());
    }

    @Test
    void tearDown_nodePacketWithoutDlq_deletesMappingAndQueue() {
        String url = sqs.client().createQueue(r -> r.queueName("awsRelayQueue_w_1")).queueUrl();
        RelayPacket pkt = RelayPacket.fromJson("{\"stats\":{\"sqsCount\":3},\"QueueUrl\":\"" + url + "\",\"UUID\":\"gone\"}");
        TearDownResult result = relay.tearDown(pkt);
        assertFalse(result.mappingDeleted());
        assertTrue(result.queueDeleted());
        assertNull(result.dlqUrl());
    }

    @Test
    void tearDown_mappingDeletionFails_throwsAndCanBeRetried() {
        RelayPacket pkt = relay.setup(null, "importWorker");
        lambda.failDeleteMapping(ServiceException.builder().message("throttled").statusCode(429).build());
        TearDownException e = assertThrows(TearDownException.class, () -> relay.tearDown(pkt));
        assertTrue(e.getMessage().contains("call tearDown again"), e.getMessage());
        lambda.failDeleteMapping(null);
        assertTrue(relay.tearDown(pkt).mappingDeleted());
    }

    @Test
    void relay_neverClosesClientsItWasGiven() {
        relay.close();
        SqsClient client = sqs.client();
        assertNotNull(client.listQueues());
    }
}
