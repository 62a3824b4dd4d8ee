package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.local.testing.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** A timed-out invocation runs none of its code after the timeout, whatever its threads do. */
@ExtendWith(LocalAwsExtension.class)
class TimeoutTest {

    record Payload(String queueUrl) {
    }

    /** Waits, ignoring interrupts, until the test lets it go on. */
    private static void awaitStubbornly(CountDownLatch latch) {
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                // a handler that ignores the interrupt Lambda's emulation sends at the timeout
            }
        }
    }

    @Test
    void codeOfATimedOutInvocation_reachesNoServiceAfterTheTimeout_fromItsThreadOrOneItStarted(LocalAws aws) {
        // The handler's first call after the timeout (through a client of its own with the
        // interceptor) and its helper thread's call are stopped; nothing after them runs.
        String queueUrl = aws.sqsClient().createQueue(b -> b.queueName("after-timeout")).queueUrl();
        CountDownLatch timedOut = new CountDownLatch(1);
        software.amazon.awssdk.services.sqs.SqsClient ownClient = software.amazon.awssdk.services.sqs.SqsClient.builder()
                .endpointOverride(aws.sqsEndpoint()).region(aws.region())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create())
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(aws.timeoutInterceptor())).build();
        // 2 s: enough for the first send on a loaded machine; the handler then waits past its timeout.
        aws.registerFunction("stubborn", Duration.ofSeconds(2), Payload.class, (Payload in, Context ctx) -> {
            aws.sqsClient().sendMessage(b -> b.queueUrl(in.queueUrl()).messageBody("before the timeout"));
            Thread helper = new Thread(() -> {
                awaitStubbornly(timedOut);
                aws.sqsClient().sendMessage(b -> b.queueUrl(in.queueUrl()).messageBody("from its thread, after"));
            });
            helper.setDaemon(true);
            helper.start();
            awaitStubbornly(timedOut);
            ownClient.sendMessage(b -> b.queueUrl(in.queueUrl()).messageBody("from a client of its own, after"));
            aws.lambdaClient().listFunctions();
            aws.sqsClient().sendMessage(b -> b.queueUrl(in.queueUrl()).messageBody("from the handler, after"));
            return null;
        });
        long before = aws.stats().callsAfterTimeout();

        InvokeResponse r = aws.lambdaClient().invoke(b -> b.functionName("stubborn")
                .payload(software.amazon.awssdk.core.SdkBytes.fromUtf8String(
                        "{\"queueUrl\":\"" + queueUrl + "\"}")));
        timedOut.countDown();

        assertTrue(r.payload().asUtf8String().contains("Task timed out"), r.payload().asUtf8String());
        Await.until("both threads stopped in their first call after the timeout", Duration.ofSeconds(10),
                () -> aws.stats().callsAfterTimeout() == before + 2, () -> aws.stats().toString());
        String held = aws.sqsClient().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        assertEquals("1", held, "only the message sent before the timeout");
    }
}
