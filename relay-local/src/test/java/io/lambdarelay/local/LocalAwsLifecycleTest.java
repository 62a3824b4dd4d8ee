package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * How a {@code LocalAws} starts, stops and lets code built on SDK defaults find it: the
 * environment and system-property modes, the {@code Deleting} state that {@code awaitIdle} waits
 * out, and a queue deleted right after its mapping (as a relay's tear-down does).
 */
class LocalAwsLifecycleTest {


    private static SQSBatchResponse ok(Object event, Object context) {
        return new SQSBatchResponse(List.of());
    }

    @Test
    void environment_pointsTheSdkAndCliAtTheLocalEndpoints() {
        try (LocalAws aws = LocalAws.builder().region("eu-west-1").start()) {
            Map<String, String> env = aws.environment();

            assertEquals(List.of("AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_LAMBDA", "AWS_REGION",
                    "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), List.copyOf(env.keySet()));
            assertEquals(aws.sqsEndpoint().toString(), env.get("AWS_ENDPOINT_URL_SQS"));
            assertEquals(aws.lambdaEndpoint().toString(), env.get("AWS_ENDPOINT_URL_LAMBDA"));
            assertEquals("eu-west-1", env.get("AWS_REGION"));
            assertEquals("eu-west-1", env.get("AWS_DEFAULT_REGION"));
            assertThrows(UnsupportedOperationException.class, () -> env.put("AWS_REGION", "x"));
        }
    }

    @Test
    void systemProperties_letDefaultClientsTalkToLocalAws_andAreRestoredOnClose() {
        System.setProperty("aws.region", "ap-south-1");
        try {
            try (LocalAws aws = LocalAws.builder().systemProperties(true).start()) {
                assertEquals(aws.sqsEndpoint().toString(), System.getProperty("aws.endpointUrlSqs"));
                aws.registerFunction("plain", Duration.ofSeconds(3), LocalAwsLifecycleTest::ok);
                try (SqsClient sqs = SqsClient.create(); LambdaClient lambda = LambdaClient.create()) {
                    String url = sqs.createQueue(b -> b.queueName("from-defaults")).queueUrl();
                    assertTrue(url.startsWith(aws.sqsEndpoint().toString()), url);
                    assertEquals(List.of(url), aws.sqsClient().listQueues().queueUrls());
                    assertEquals("arn:aws:lambda:us-east-1:000000000000:function:plain",
                            lambda.getFunctionConfiguration(b -> b.functionName("plain")).functionArn());
                }
            }
            assertNull(System.getProperty("aws.endpointUrlSqs"));
            assertNull(System.getProperty("aws.endpointUrlLambda"));
            assertNull(System.getProperty("aws.accessKeyId"));
            assertEquals("ap-south-1", System.getProperty("aws.region"), "the value from before is back");
        } finally {
            System.clearProperty("aws.region");
        }
    }

    @Test
    void systemProperties_secondInstanceWhileTheFirstIsOpen_isRefusedWithAClearMessage() {
        try (LocalAws first = LocalAws.builder().systemProperties(true).start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> LocalAws.builder().systemProperties(true).start());
            assertTrue(e.getMessage().contains("aws.endpointUrlSqs is already set (to " + first.sqsEndpoint()),
                    e.getMessage());
        }
        assertNull(System.getProperty("aws.endpointUrlSqs"));
    }

    @Test
    void awaitIdle_waitsOutTheDeletingState_thenTheMappingIsNotListed() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
        try (LocalAws aws = LocalAws.builder().clock(clock).mappingDeletionDelay(Duration.ofSeconds(3)).start()) {
            LambdaClient lambda = aws.lambdaClient();
            aws.registerFunction("deleted", Duration.ofSeconds(1), LocalAwsLifecycleTest::ok);
            TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "deleted", 10);
            String uuid = lambda.createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("deleted"))
                    .uuid();

            assertEquals("Deleting", lambda.deleteEventSourceMapping(b -> b.uuid(uuid)).state());
            assertEquals(List.of("Deleting"), states(lambda), "listed while Lambda would still delete it");
            IdleTimeoutException notYet = assertThrows(IdleTimeoutException.class,
                    () -> aws.awaitIdle(Duration.ofMillis(50)));
            assertEquals(List.of(uuid), notYet.deletingMappings());
            assertTrue(notYet.getMessage().contains("still Deleting: [" + uuid + "]"), notYet.getMessage());

            clock.advance(Duration.ofSeconds(3));
            aws.awaitIdle(Duration.ofSeconds(10));

            assertEquals(List.of(), states(lambda));
        }
    }

    @Test
    void awaitIdle_afterARelayLikeTearDown_leavesNoMapping() throws Exception {
        try (LocalAws aws = LocalAws.start()) {
            TestQueues.Queue q = TestQueues.createWithDlq(aws.sqsClient(), "torn-down", 10, 3);
            CountDownLatch done = new CountDownLatch(1);
            String[] uuid = new String[1];
            aws.registerFunction("last-hop", Duration.ofSeconds(5), (event, context) -> {
                // The last hop of a relay deletes its own mapping, then its queue, then returns.
                aws.lambdaClient().deleteEventSourceMapping(b -> b.uuid(uuid[0]));
                aws.sqsClient().deleteQueue(b -> b.queueUrl(q.url()));
                done.countDown();
                return new SQSBatchResponse(List.of());
            });
            uuid[0] = aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn())
                    .functionName("last-hop").batchSize(1)).uuid();
            aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("go"));

            assertTrue(done.await(30, TimeUnit.SECONDS));
            aws.awaitIdle(Duration.ofSeconds(30));

            assertEquals(List.of(), states(aws.lambdaClient()));
            assertEquals(1, aws.stats().invocations());
        }
    }

    @Test
    void builder_negativeDeletionDelay_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalAws.builder().mappingDeletionDelay(Duration.ofSeconds(-1)).start());
        assertEquals("mappingDeletionDelay must be zero or positive, was PT-1S", e.getMessage());
    }

    private static List<String> states(LambdaClient lambda) {
        return lambda.listEventSourceMappings().eventSourceMappings().stream()
                .map(EventSourceMappingConfiguration::state).toList();
    }
}
