package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import io.lambdarelay.janitor.JanitorReport;
import io.lambdarelay.janitor.RelayJanitor;
import io.lambdarelay.janitor.RelayJanitorHandler;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The janitor against relay-local: real queues, tags and event-source mappings. */
class RelayJanitorTest {
    private static LocalAws aws;
    private MutableClock clock;
    private Relay relay;
    private RelayJanitor janitor;

    @BeforeAll
    static void start() {
        aws = LocalAws.start();
        aws.registerFunction("janitor-target", Duration.ofSeconds(1), (event, ctx) -> new SQSBatchResponse(List.of()));
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.now());
        relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(clock).build();
        janitor = RelayJanitor.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(clock)
                .idleAfter(Duration.ofMinutes(10)).build();
    }

    @AfterEach
    void clean() {
        for (String url : aws.sqsClient().listQueues().queueUrls()) {
            aws.sqsClient().deleteQueue(r -> r.queueUrl(url));
        }
        aws.lambdaClient().listEventSourceMappings().eventSourceMappings()
                .forEach(m -> aws.lambdaClient().deleteEventSourceMapping(r -> r.uuid(m.uuid())));
    }

    private boolean exists(String queueUrl) {
        return aws.sqsClient().listQueues().queueUrls().contains(queueUrl);
    }

    private boolean mappingActive(RelayPacket pkt) {
        return aws.lambdaClient().listEventSourceMappings().eventSourceMappings().stream()
                .anyMatch(m -> m.uuid().equals(pkt.mappingUuid()) && !"Deleting".equals(m.state()));
    }

    /** A relay whose packet waits in the queue, delayed, so the mapping cannot take it. */
    private RelayPacket liveRelay(Duration expiresAfter) {
        RelayPacket pkt = relay.setup(null, "janitor-target", RelaySetup.builder().expiresAfter(expiresAfter).build());
        relay.relayPass(pkt, Duration.ofMinutes(10));
        return pkt;
    }

    @Test
    void anExpiredRelay_isRemovedWithItsMappingAndEmptyDlq() {
        RelayPacket pkt = liveRelay(Duration.ofHours(1));
        clock.advance(Duration.ofHours(2));

        JanitorReport report = janitor.sweep();

        assertEquals(List.of(pkt.relayId()), report.removedRelays());
        assertFalse(exists(pkt.queueUrl()));
        assertFalse(exists(pkt.deadLetterQueueUrl().orElseThrow()));
        assertFalse(mappingActive(pkt));
    }

    @Test
    void aLiveRelay_isLeftAlone() {
        RelayPacket pkt = liveRelay(Duration.ofDays(1));
        clock.advance(Duration.ofHours(2));
        JanitorReport first = janitor.sweep();
        clock.advance(Duration.ofHours(2));
        JanitorReport second = janitor.sweep();

        assertTrue(first.removedRelays().isEmpty() && second.removedRelays().isEmpty());
        assertTrue(first.markedIdle().isEmpty(), "a queue holding the packet is not idle");
        assertTrue(exists(pkt.queueUrl()));
        assertTrue(mappingActive(pkt));
    }

    @Test
    void anOrphanFromACrashedSetup_isRemovedOnlyAfterStayingEmptyForIdleAfter() {
        // what a setup that died between creating the queues and the mapping leaves behind
        Map<String, String> tags = Map.of(Relay.TAG_RELAY_ID, "crashed01", Relay.TAG_ROLE, "queue",
                Relay.TAG_EXPIRES, clock.instant().plus(Duration.ofDays(1)).toString());
        String url = aws.sqsClient().createQueue(r -> r.queueName("relay-w-crashed01").tags(tags)).queueUrl();
        String dlq = aws.sqsClient().createQueue(r -> r.queueName("relay-w-crashed01-dlq")
                .tags(Map.of(Relay.TAG_RELAY_ID, "crashed01", Relay.TAG_ROLE, "dlq"))).queueUrl();

        assertEquals(List.of("crashed01"), janitor.sweep().markedIdle());
        clock.advance(Duration.ofMinutes(5));
        assertTrue(janitor.sweep().removedRelays().isEmpty(), "empty for 5 minutes is not idle yet");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(List.of("crashed01"), janitor.sweep().removedRelays());
        assertFalse(exists(url));
        assertFalse(exists(dlq));
    }

    @Test
    void anIdleMarkIsClearedWhenThePacketComesBack() {
        RelayPacket pkt = relay.setup(null, "janitor-target");
        assertEquals(List.of(pkt.relayId()), janitor.sweep().markedIdle());
        relay.relayPass(pkt, Duration.ofMinutes(10));
        janitor.sweep();
        assertFalse(aws.sqsClient().listQueueTags(r -> r.queueUrl(pkt.queueUrl())).tags()
                .containsKey(RelayJanitor.TAG_IDLE_SINCE));
        clock.advance(Duration.ofMinutes(30));
        assertTrue(janitor.sweep().removedRelays().isEmpty());
    }

    @Test
    void aDlqHoldingMessages_isKeptAndReported() {
        RelayPacket pkt = liveRelay(Duration.ofHours(1));
        String dlq = pkt.deadLetterQueueUrl().orElseThrow();
        aws.sqsClient().sendMessage(r -> r.queueUrl(dlq).messageBody("{\"failed\":1}"));
        clock.advance(Duration.ofHours(2));

        JanitorReport report = janitor.sweep();

        assertEquals(List.of(pkt.relayId()), report.removedRelays());
        assertEquals(List.of(dlq), report.keptDeadLetterQueues());
        assertTrue(exists(dlq));
        assertEquals("1", aws.sqsClient().getQueueAttributes(r -> r.queueUrl(dlq)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    @Test
    void queuesWithoutRelayTags_areNeverTouched() {
        String url = aws.sqsClient().createQueue(r -> r.queueName("relay-not-ours")).queueUrl();
        clock.advance(Duration.ofDays(400));
        janitor.sweep();
        janitor.sweep();
        assertTrue(exists(url));
    }

    @Test
    void builder_refusesAnEmptyPrefixAndShortIdleTimes() {
        assertThrows(IllegalArgumentException.class, () -> RelayJanitor.builder().sqsClient(aws.sqsClient())
                .lambdaClient(aws.lambdaClient()).queueNamePrefix("").build());
        assertThrows(IllegalArgumentException.class, () -> RelayJanitor.builder().sqsClient(aws.sqsClient())
                .lambdaClient(aws.lambdaClient()).idleAfter(Duration.ofSeconds(5)).build());
    }

    @Test
    void theScheduledHandler_sweepsAndReports() {
        RelayPacket pkt = liveRelay(Duration.ofHours(1));
        clock.advance(Duration.ofHours(2));
        String out = new RelayJanitorHandler(janitor).handleRequest(null, null);
        assertTrue(out.contains(pkt.relayId()), out);
    }
}
