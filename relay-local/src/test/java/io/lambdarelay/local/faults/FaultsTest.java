package io.lambdarelay.local.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.testing.MutableClock;
import io.lambdarelay.local.testing.SqsServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** Each fault against the embedded SQS (and LocalAws's Lambda endpoint), with what it records. */
class FaultsTest {
    private static SqsServer sqs;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    private final Faults faults = Faults.create(clock);
    private final SqsClient client = faults.sqs(sqs.client());

    @BeforeAll
    static void start() {
        sqs = SqsServer.start();
    }

    @AfterAll
    static void stop() {
        sqs.close();
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    private void send(String url) {
        client.sendMessage(r -> r.queueUrl(url).messageBody("m"));
    }

    @Test
    void throttle_theNextCallsOfOneQueue_withoutEffect_andRecorded() {
        String a = sqs.createQueue("relay-a1");
        String b = sqs.createQueue("relay-b2");
        faults.on("SendMessage").target("a1").times(2).throttle();

        for (int i = 0; i < 2; i++) {
            AwsServiceException e = assertThrows(AwsServiceException.class, () -> send(a));
            assertTrue(e.isThrottlingException(), "the SDK sees SQS's throttling error");
        }
        send(b);
        send(a);

        assertEquals(1, sqs.messagesHeld(a), "throttled calls had no effect");
        assertEquals(1, sqs.messagesHeld(b));
        List<InjectedFault> log = faults.injected();
        assertEquals(2, log.size());
        assertTrue(log.stream().allMatch(f -> f.kind() == InjectedFault.Kind.THROTTLED && f.target().equals(a)
                && f.operation().equals("SendMessage") && f.at().equals(clock.instant())));
        assertEquals(4, faults.calls("SendMessage"));
    }

    @Test
    void loseResponse_theCallTakesEffect_thenThrows() {
        String url = sqs.createQueue("gone-soon");
        faults.on("DeleteQueue").times(1).loseResponse();

        assertThrows(SdkClientException.class, () -> client.deleteQueue(r -> r.queueUrl(url)));

        assertThrows(QueueDoesNotExistException.class, () -> sqs.messagesHeld(url), "it was deleted all the same");
        assertEquals(InjectedFault.Kind.RESPONSE_LOST, faults.injected().get(0).kind());
    }

    @Test
    void fail_afterSomeCalls_withAChosenError_untilStopped() {
        String url = sqs.createQueue("q");
        Faults.Injection injection = faults.on("SendMessage").after(2)
                .fail(SqsException.builder().statusCode(500).message("boom").build());
        send(url);
        send(url);
        assertEquals(500, assertThrows(SqsException.class, () -> send(url)).statusCode());
        assertThrows(SqsException.class, () -> send(url));
        injection.stop();
        send(url);
        assertEquals(3, sqs.messagesHeld(url));
        assertEquals(2, faults.injected(InjectedFault.Kind.FAILED).size());
    }

    @Test
    void withProbability_isRepeatableForASeed() {
        String url = sqs.createQueue("q");
        List<Boolean> first = failures(url, 42);
        faults.clear();
        List<Boolean> again = failures(url, 42);
        assertEquals(first, again, "the same seed, the same calls fail");
        long failed = first.stream().filter(f -> f).count();
        assertTrue(failed > 10 && failed < 50, failed + " of 60 at p = 0.5");
    }

    private List<Boolean> failures(String url, long seed) {
        faults.on("SendMessage").withProbability(0.5, seed).throttle();
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            try {
                send(url);
                out.add(false);
            } catch (AwsServiceException e) {
                out.add(true);
            }
        }
        return out;
    }

    @Test
    void lagCounts_leaveRecentMessagesOutOfTheApproximateCount_untilTheLagPassesOnTheClock() {
        String url = sqs.createQueue("q");
        faults.lagCounts(Duration.ofMinutes(1));
        send(url);
        clock.advance(Duration.ofSeconds(59));
        assertEquals("0", count(url));
        clock.advance(Duration.ofSeconds(1));
        assertEquals("1", count(url));
        assertEquals(1, faults.injected(InjectedFault.Kind.COUNTS_LAGGED).size());
    }

    private String count(String url) {
        return client.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    @Test
    void emptyShortPolls_comeBackEmpty_longPollsDoNot() {
        String url = sqs.createQueue("q");
        send(url);
        faults.emptyShortPolls(true);
        assertTrue(client.receiveMessage(r -> r.queueUrl(url)).messages().isEmpty());
        assertEquals(1, client.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(1)).messages().size());
        assertEquals(1, faults.injected(InjectedFault.Kind.SHORT_POLL_EMPTY).size());
    }

    @Test
    void batchEntries_failOnceOnTheServiceSide_orAreRefusedAsTheSendersFault() {
        String url = sqs.createQueue("q");
        faults.failEntryOnce("retry-me").refuseEntries("bad");
        List<SendMessageBatchRequestEntry> entries = List.of(
                SendMessageBatchRequestEntry.builder().id("1").messageBody("ok").build(),
                SendMessageBatchRequestEntry.builder().id("2").messageBody("retry-me").build(),
                SendMessageBatchRequestEntry.builder().id("3").messageBody("bad").build());

        SendMessageBatchResponse first = client.sendMessageBatch(r -> r.queueUrl(url).entries(entries));
        SendMessageBatchResponse second = client.sendMessageBatch(r -> r.queueUrl(url).entries(entries.get(1)));

        assertEquals(1, first.successful().size());
        assertEquals(Map.of("2", false, "3", true), Map.of(first.failed().get(0).id(), first.failed().get(0).senderFault(),
                first.failed().get(1).id(), first.failed().get(1).senderFault()));
        assertEquals(1, second.successful().size(), "a failed entry goes through when tried again");
        assertEquals(2, sqs.messagesHeld(url));
    }

    @Test
    void localAws_hasFaultsInFrontOfItsClients_lambdaThrottlingIs429() {
        try (LocalAws aws = LocalAws.start()) {
            aws.faults().on("ListFunctions").times(1).throttle();
            aws.faults().on("SendMessage").times(1).fail(SqsException.builder().statusCode(503).build());
            TooManyRequestsException e = assertThrows(TooManyRequestsException.class,
                    () -> aws.lambdaClient().listFunctions());
            assertEquals(429, e.statusCode());
            assertTrue(e.isThrottlingException());
            aws.lambdaClient().listFunctions();
            String url = aws.sqsClient().createQueue(r -> r.queueName("q")).queueUrl();
            assertInstanceOf(SqsException.class, assertThrows(RuntimeException.class,
                    () -> aws.sqsClient().sendMessage(r -> r.queueUrl(url).messageBody("m"))));
            aws.sqsClient().sendMessage(r -> r.queueUrl(url).messageBody("m"));
            assertEquals(2, aws.faults().injected().size());
            assertEquals(List.of("ListFunctions THROTTLED", "SendMessage FAILED"), aws.faults().injected().stream()
                    .map(f -> f.operation() + " " + f.kind()).toList());
        }
    }

    @Test
    void deliverTwice_givesOneBatchToTwoInvocationsAtOnce_withTheSameMessageId() throws Exception {
        try (LocalAws aws = LocalAws.start()) {
            java.util.List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
            java.util.concurrent.atomic.AtomicBoolean together = new java.util.concurrent.atomic.AtomicBoolean();
            aws.registerFunction("seer", Duration.ofSeconds(10), (com.amazonaws.services.lambda.runtime.events.SQSEvent e,
                    com.amazonaws.services.lambda.runtime.Context c) -> {
                e.getRecords().forEach(m -> seen.add(m.getMessageId()));
                both.countDown();
                try {
                    together.compareAndSet(false, both.await(5, java.util.concurrent.TimeUnit.SECONDS));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return new com.amazonaws.services.lambda.runtime.events.SQSBatchResponse(List.of());
            });
            String url = aws.sqsClient().createQueue(r -> r.queueName("relay-r42-q").attributesWithStrings(
                    Map.of("VisibilityTimeout", "60"))).queueUrl();
            String arn = aws.sqsClient().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            aws.faults().deliverTwice("r42", 1);
            aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(arn).functionName("seer").batchSize(1));

            aws.sqsClient().sendMessage(r -> r.queueUrl(url).messageBody("once"));

            io.lambdarelay.local.testing.Await.until("two deliveries", Duration.ofSeconds(15), () -> seen.size() == 2);
            assertEquals(seen.get(0), seen.get(1), "the same message");
            assertTrue(together.get(), "both invocations ran at the same time");
            assertEquals(List.of("relay-r42-q"), aws.faults().injected(InjectedFault.Kind.DELIVERED_TWICE).stream()
                    .map(InjectedFault::target).toList());
        }
    }
    @Test
    void points_countEveryPass_andKillTheInvocationAsOutOfMemory_orHangItUntilItsTimeout() {
        try (LocalAws aws = LocalAws.start()) {
            List<String> done = java.util.Collections.synchronizedList(new ArrayList<>());
            aws.registerFunction("units", Duration.ofMillis(500), Job.class, (Job in,
                    com.amazonaws.services.lambda.runtime.Context c) -> {
                for (int i = 1; i <= 4; i++) {
                    aws.faults().point("Unit", in.job() + "/u" + i);
                    done.add(in.job() + "/u" + i);
                }
                return "ok";
            });
            aws.faults().on("Unit").target("oom").after(2).times(1).outOfMemory();
            aws.faults().on("Unit").target("hung").after(1).times(1).hang();

            String oom = invoke(aws, "oom");
            String hung = invoke(aws, "hung");
            String clean = invoke(aws, "clean");

            assertTrue(oom.contains("out of memory at point Unit"), oom);
            assertTrue(hung.contains("Task timed out"), hung);
            assertEquals("\"ok\"", clean);
            assertEquals(List.of("oom/u1", "oom/u2", "hung/u1", "clean/u1", "clean/u2", "clean/u3", "clean/u4"), done,
                    "nothing ran after the kill or the hang");
            assertEquals(List.of(InjectedFault.Kind.OUT_OF_MEMORY, InjectedFault.Kind.HUNG), aws.faults().injected()
                    .stream().map(InjectedFault::kind).toList());
            assertEquals(List.of("oom/u3", "hung/u2"), aws.faults().injected().stream().map(InjectedFault::target)
                    .toList());
            Map<String, Integer> passes = aws.faults().passes("Unit");
            assertEquals(3 + 2 + 4, passes.size());
            assertTrue(passes.values().stream().allMatch(n -> n == 1), passes.toString());

            aws.faults().on("Unit").times(1).killInvocationBefore();
            aws.faults().point("Unit", "from the test");
            assertEquals(2, aws.faults().injected().size(), "outside an invocation a kill does not fire");
            assertEquals(1, aws.faults().passes("Unit").get("from the test"));
            aws.faults().clear();
            aws.faults().on("Unit").times(1).throttle();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> aws.faults().point("Unit", "x"));
            assertTrue(e.getMessage().contains("acts on AWS calls"), e.getMessage());
        }
    }

    record Job(String job) {
    }

    private static String invoke(LocalAws aws, String job) {
        return aws.lambdaClient().invoke(b -> b.functionName("units").payload(
                software.amazon.awssdk.core.SdkBytes.fromUtf8String("{\"job\":\"" + job + "\"}"))).payload()
                .asUtf8String();
    }
}
