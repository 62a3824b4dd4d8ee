package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The fair-queue emulation: a message group with many messages (a noisy tenant) does not delay a
 * group with one, which the embedded SQS's own order would put last; and each message is still
 * delivered once, with its visibility timeout counted from its delivery.
 */
class FairQueuesTest {
    private static final int BIG = 60;

    private static SQSBatchResponse ok() {
        return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
    }

    /** Delivers everything from a queue that got {@value #BIG} messages of group "big", then one of "small". */
    private static List<String> deliveryOrder(boolean fair) {
        try (LocalAws aws = LocalAws.builder().virtualTime(true).manualDelivery(true).fairQueues(fair).start()) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            aws.registerFunction("tenant", Duration.ofSeconds(5), (event, context) -> {
                event.getRecords().forEach(m -> order.add(m.getBody()));
                return ok();
            });
            TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "fair", 30);
            aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("tenant")
                    .batchSize(1));
            for (int i = 0; i < BIG; i += 10) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int j = i; j < i + 10; j++) {
                    entries.add(SendMessageBatchRequestEntry.builder().id("e" + j).messageBody("big-" + j)
                            .messageGroupId("big").build());
                }
                aws.sqsClient().sendMessageBatch(b -> b.queueUrl(q.url()).entries(entries));
            }
            aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("small").messageGroupId("small"));

            aws.deliverAll(q.url(), BIG + 5);

            assertEquals("0", aws.sqsClient().getQueueAttributes(b -> b.queueUrl(q.url()).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName
                            .APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributesAsStrings()
                    .get("ApproximateNumberOfMessages"), "all delivered and deleted");
            return order;
        }
    }

    @Test
    void aGroupWithOneMessage_isServedWithinTheFirstTwoDeliveries_notAfterTheNoisyGroup() {
        List<String> fair = deliveryOrder(true);
        List<String> plain = deliveryOrder(false);

        assertEquals(BIG + 1, fair.size(), "each message once: " + fair);
        assertEquals(BIG + 1, plain.size());
        assertTrue(fair.indexOf("small") <= 1, "fair: the quiet group's message came at " + fair.indexOf("small"));
        assertTrue(plain.indexOf("small") > BIG / 2, "the embedded SQS's own order puts it late: "
                + plain.indexOf("small"));
    }

    @Test
    void aMessageStillCountsOneReceive_andItsGroupIsReported() {
        try (LocalAws aws = LocalAws.builder().virtualTime(true).manualDelivery(true).fairQueues(true).start()) {
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            aws.registerFunction("tenant", Duration.ofSeconds(5), (event, context) -> {
                event.getRecords().forEach(m -> seen.add(m.getAttributes().get("ApproximateReceiveCount") + "/"
                        + m.getAttributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID.toString())));
                return ok();
            });
            TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "fair-once", 30);
            aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("tenant")
                    .batchSize(1));
            for (int i = 0; i < 3; i++) {
                aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("m").messageGroupId("g"));
            }

            aws.deliverAll(q.url(), 10);

            assertEquals(List.of("1/g", "1/g", "1/g"), seen, "staging is not a receive of its own");
        }
    }
}
