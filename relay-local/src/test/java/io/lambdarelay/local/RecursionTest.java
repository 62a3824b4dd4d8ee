package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.local.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Lambda's recursive-loop cut-off, traced through the lineage in the AWSTraceHeader. */
@ExtendWith(LocalAwsExtension.class)
class RecursionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A function that sends the message it got back to its own queue, up to {@code limit} hops. */
    private static LocalFunction registerLooper(LocalAws aws, String name, String queueUrl, int limit,
            AtomicInteger invocations, boolean batchSend) {
        return aws.registerFunction(name, Duration.ofSeconds(1), (SQSEvent event, com.amazonaws.services.lambda
                .runtime.Context context) -> {
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                int hop = Integer.parseInt(m.getBody());
                invocations.incrementAndGet();
                if (hop + 1 < limit) {
                    String next = Integer.toString(hop + 1);
                    if (batchSend) {
                        aws.sqsClient().sendMessageBatch(b -> b.queueUrl(queueUrl).entries(
                                SendMessageBatchRequestEntry.builder().id("next").messageBody(next).build()));
                    } else {
                        aws.sqsClient().sendMessage(b -> b.queueUrl(queueUrl).messageBody(next));
                    }
                }
            }
            return new SQSBatchResponse(List.of());
        });
    }

    @Test
    void terminate_dropsTheLoopAfter16Hops_andRedriveMovesItToTheDlq(LocalAws aws) {
        TestQueues.Queue q = TestQueues.createWithDlq(aws.sqsClient(), "looping", 1, 2);
        AtomicInteger invocations = new AtomicInteger();
        List<InvocationEvent> events = new CopyOnWriteArrayList<>();
        aws.onInvocation(e -> {
            if (e.functionName().equals("looper")) {
                events.add(e);
            }
        });
        registerLooper(aws, "looper", q.url(), 1_000, invocations, false);
        aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("looper")
                .batchSize(1));

        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("0"));
        Await.until("the dropped message in the DLQ", WAIT, () -> aws.stats().dlqMessages("looping-dlq") == 1, () -> aws.stats().toString());

        assertEquals(16, invocations.get(), "Lambda stops the loop after 16 invocations");
        List<InvocationEvent> drops = events.stream()
                .filter(e -> e.outcome() == InvocationEvent.Outcome.RECURSION_DROPPED).toList();
        assertEquals(2, drops.size(), "dropped at each receive until the redrive policy moves it: " + events);
        assertTrue(aws.stats().recursionDrops() >= 2);
        assertEquals(15, events.stream().filter(e -> e.outcome() == InvocationEvent.Outcome.SUCCEEDED)
                .mapToInt(InvocationEvent::hop).max().orElse(-1));
        aws.awaitIdle(WAIT);
    }

    @Test
    void allow_letsTheLoopRunPast16Hops(LocalAws aws) {
        TestQueues.Queue q = TestQueues.createWithDlq(aws.sqsClient(), "allowed", 1, 2);
        AtomicInteger invocations = new AtomicInteger();
        registerLooper(aws, "allowed", q.url(), 40, invocations, true);
        aws.lambdaClient().putFunctionRecursionConfig(b -> b.functionName("allowed")
                .recursiveLoop(RecursiveLoop.ALLOW));
        long dropsBefore = aws.stats().recursionDrops();
        aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("allowed")
                .batchSize(1));

        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("0"));
        aws.awaitIdle(WAIT);

        assertEquals(40, invocations.get());
        assertEquals(dropsBefore, aws.stats().recursionDrops());
        assertEquals(0, aws.stats().dlqMessages("allowed-dlq"));
    }
}
