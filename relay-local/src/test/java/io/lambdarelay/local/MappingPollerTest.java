package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.local.testing.Await;
import io.lambdarelay.local.testing.SqsServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/** The event-source mapping poller: event shape, deletion, failures, timeouts, concurrency. */
@ExtendWith(LocalAwsExtension.class)
class MappingPollerTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static SQSBatchResponse noFailures() {
        return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
    }

    private static void map(LocalAws aws, TestQueues.Queue q, String function, int batchSize, Integer concurrency,
            boolean reportFailures) {
        aws.lambdaClient().createEventSourceMapping(b -> {
            b.eventSourceArn(q.arn()).functionName(function).batchSize(batchSize);
            if (concurrency != null) {
                b.scalingConfig(s -> s.maximumConcurrency(concurrency));
            }
            if (reportFailures) {
                b.functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES);
            }
        });
    }

    @Test
    void handler_receivesWellFormedSqsEvent_andMessageIsDeleted(LocalAws aws) throws Exception {
        BlockingQueue<SQSEvent> events = new ArrayBlockingQueue<>(10);
        BlockingQueue<Context> contexts = new ArrayBlockingQueue<>(10);
        LocalFunction fn = aws.registerFunction("inspect", Duration.ofSeconds(5), (event, context) -> {
            events.add(event);
            contexts.add(context);
            return noFailures();
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.create(sqs, "inspect", 30);
        long before = System.currentTimeMillis();
        SendMessageResponse sent0 = sqs.sendMessage(b -> b.queueUrl(q.url()).messageBody("hello relay")
                .messageAttributes(Map.of(
                        "color", MessageAttributeValue.builder().dataType("String").stringValue("blue").build(),
                        "size", MessageAttributeValue.builder().dataType("Number.int").stringValue("42").build(),
                        "blob", MessageAttributeValue.builder().dataType("Binary")
                                .binaryValue(SdkBytes.fromUtf8String("bytes")).build())));
        String messageId = sent0.messageId();

        map(aws, q, "inspect", 1, null, false);
        SQSEvent event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertNotNull(event, "handler not invoked");
        assertEquals(1, event.getRecords().size());
        SQSEvent.SQSMessage m = event.getRecords().get(0);
        assertEquals(messageId, m.getMessageId());
        assertFalse(m.getReceiptHandle().isBlank());
        assertEquals("hello relay", m.getBody());
        assertEquals(md5Hex("hello relay"), m.getMd5OfBody());
        assertEquals(sent0.md5OfMessageAttributes(), m.getMd5OfMessageAttributes(), "the MD5 SQS computed at send");
        assertEquals("aws:sqs", m.getEventSource());
        assertEquals(q.arn(), m.getEventSourceArn());
        assertEquals("arn:aws:sqs:us-east-1:000000000000:inspect", m.getEventSourceArn());
        assertEquals("us-east-1", m.getAwsRegion());
        Map<String, String> attributes = m.getAttributes();
        assertEquals("1", attributes.get("ApproximateReceiveCount"));
        long sent = Long.parseLong(attributes.get("SentTimestamp"));
        assertTrue(sent >= before - 1000 && sent <= System.currentTimeMillis(), "SentTimestamp " + sent);
        assertTrue(Long.parseLong(attributes.get("ApproximateFirstReceiveTimestamp")) >= sent);
        assertFalse(attributes.get("SenderId").isBlank());
        assertEquals("blue", m.getMessageAttributes().get("color").getStringValue());
        assertEquals("String", m.getMessageAttributes().get("color").getDataType());
        assertEquals("Binary", m.getMessageAttributes().get("blob").getDataType());
        assertEquals("42", m.getMessageAttributes().get("size").getStringValue());
        assertEquals("Number.int", m.getMessageAttributes().get("size").getDataType());
        assertEquals("bytes", StandardCharsets.UTF_8.decode(m.getMessageAttributes().get("blob").getBinaryValue())
                .toString());

        Context context = contexts.take();
        assertEquals("inspect", context.getFunctionName());
        assertEquals(fn.arn(), context.getInvokedFunctionArn());
        assertTrue(context.getRemainingTimeInMillis() > 0 && context.getRemainingTimeInMillis() <= 5000);

        aws.awaitIdle(WAIT);
        assertEquals(0, SqsServer.messagesHeld(sqs, q.url()), "message deleted after success");
        assertEquals(1, aws.stats().messagesReceived("inspect"));
        assertEquals(1, aws.stats().messagesSent("inspect"));
    }

    @Test
    void reportBatchItemFailures_leavesOnlyTheFailedItem(LocalAws aws) {
        List<List<String>> batches = new CopyOnWriteArrayList<>();
        aws.registerFunction("partial", Duration.ofSeconds(1), (event, context) -> {
            List<String> bodies = new ArrayList<>();
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                bodies.add(m.getBody() + "#" + m.getAttributes().get("ApproximateReceiveCount"));
                if (m.getBody().equals("bad") && m.getAttributes().get("ApproximateReceiveCount").equals("1")) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
            // Standard queues keep no order within a batch.
            bodies.sort(null);
            batches.add(bodies);
            return new SQSBatchResponse(failures);
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.create(sqs, "partial", 1);
        sqs.sendMessageBatch(b -> b.queueUrl(q.url()).entries(
                SendMessageBatchRequestEntry.builder().id("1").messageBody("good-1").build(),
                SendMessageBatchRequestEntry.builder().id("2").messageBody("bad").build(),
                SendMessageBatchRequestEntry.builder().id("3").messageBody("good-2").build()));
        long itemFailuresBefore = aws.stats().itemFailures();

        map(aws, q, "partial", 3, 2, true);
        aws.awaitIdle(WAIT);

        assertEquals(List.of(List.of("bad#1", "good-1#1", "good-2#1"), List.of("bad#2")), batches,
                "the failed item alone is delivered again, after the visibility timeout");
        assertEquals(itemFailuresBefore + 1, aws.stats().itemFailures());
        assertEquals(0, SqsServer.messagesHeld(sqs, q.url()));
    }

    @Test
    void handlerThatAlwaysThrows_movesMessageToDlqAfterMaxReceiveCount(LocalAws aws) {
        AtomicInteger calls = new AtomicInteger();
        aws.registerFunction("poisoned", Duration.ofSeconds(1), (event, context) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("cannot handle this packet");
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.createWithDlq(sqs, "poisoned", 1, 2);
        sqs.sendMessage(b -> b.queueUrl(q.url()).messageBody("poison"));
        long errorsBefore = aws.stats().functionErrors();

        map(aws, q, "poisoned", 1, null, true);
        Await.until("the poisoned message in the DLQ", WAIT, () -> aws.stats().dlqMessages("poisoned-dlq") == 1, aws::toString);

        assertEquals(2, calls.get(), "invoked once per receive, up to maxReceiveCount");
        assertEquals(errorsBefore + 2, aws.stats().functionErrors());
        aws.awaitIdle(WAIT);
        assertEquals(0, SqsServer.messagesHeld(sqs, q.url()));
    }

    @Test
    void handlerThatOverrunsItsTimeout_isInterruptedCountedAndRetried(LocalAws aws) {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch never = new CountDownLatch(1);
        List<String> receiveCounts = new CopyOnWriteArrayList<>();
        aws.registerFunction("overrun", Duration.ofSeconds(1), (event, context) -> {
            String count = event.getRecords().get(0).getAttributes().get("ApproximateReceiveCount");
            receiveCounts.add(count);
            if (count.equals("1")) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return noFailures();
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.create(sqs, "overrun", 2);
        sqs.sendMessage(b -> b.queueUrl(q.url()).messageBody("slow"));
        long timeoutsBefore = aws.stats().timeouts();

        map(aws, q, "overrun", 1, null, true);
        Await.until("two deliveries", WAIT, () -> receiveCounts.size() == 2, receiveCounts::toString);
        aws.awaitIdle(WAIT);

        assertTrue(interrupted.get(), "handler thread interrupted at the timeout");
        assertEquals(timeoutsBefore + 1, aws.stats().timeouts());
        assertEquals(List.of("1", "2"), receiveCounts);
        assertEquals(0, SqsServer.messagesHeld(sqs, q.url()));
    }

    @Test
    void maximumConcurrency_capsConcurrentInvocations(LocalAws aws) {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        CountDownLatch never = new CountDownLatch(1);
        aws.registerFunction("capped", Duration.ofSeconds(5), (event, context) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                // Stands in for work, long enough that uncapped pollers would overlap.
                never.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            return noFailures();
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.create(sqs, "capped", 30);
        for (int i = 0; i < 12; i += 6) {
            int first = i;
            sqs.sendMessageBatch(b -> b.queueUrl(q.url()).entries(java.util.stream.IntStream.range(first, first + 6)
                    .mapToObj(n -> SendMessageBatchRequestEntry.builder().id("m" + n).messageBody("unit " + n).build())
                    .toList()));
        }

        map(aws, q, "capped", 1, 2, false);
        aws.awaitIdle(WAIT);

        assertEquals(2, maxInFlight.get());
        assertEquals(12, aws.stats().messagesReceived("capped"));
    }

    @Test
    void disabledMapping_doesNotPoll_untilEnabledAgain(LocalAws aws) {
        AtomicInteger calls = new AtomicInteger();
        aws.registerFunction("switched", Duration.ofSeconds(1), (event, context) -> {
            calls.addAndGet(event.getRecords().size());
            return noFailures();
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.create(sqs, "switched", 10);
        String uuid = aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn())
                .functionName("switched").enabled(false)).uuid();
        sqs.sendMessage(b -> b.queueUrl(q.url()).messageBody("waiting"));

        aws.awaitIdle(Duration.ofSeconds(2));
        assertEquals(0, calls.get(), "a disabled mapping invokes nothing");
        assertEquals(1, SqsServer.messagesHeld(sqs, q.url()));

        aws.lambdaClient().updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));
        aws.awaitIdle(WAIT);
        assertEquals(1, calls.get());
    }

    @Test
    void awaitIdle_throwsWithWhatIsBusy_whenWorkDoesNotFinish(LocalAws aws) {
        aws.registerFunction("stuck", Duration.ofSeconds(2), (event, context) -> {
            throw new IllegalStateException("always fails");
        });
        SqsClient sqs = aws.sqsClient();
        TestQueues.Queue q = TestQueues.create(sqs, "stuck", 30);
        sqs.sendMessage(b -> b.queueUrl(q.url()).messageBody("forever"));
        map(aws, q, "stuck", 1, null, false);

        IdleTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(IdleTimeoutException.class,
                () -> aws.awaitIdle(Duration.ofMillis(300)));
        assertEquals(Long.valueOf(1), e.busyQueues().get("stuck"));
        assertTrue(e.getMessage().contains("stuck=1"), e.getMessage());
        sqs.purgeQueue(b -> b.queueUrl(q.url()));
    }

    private static String md5Hex(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
