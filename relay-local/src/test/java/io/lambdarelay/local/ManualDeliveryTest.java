package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.faults.InjectedFault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;

/**
 * Manual delivery: the test delivers each batch and sees what it did; under virtual time a
 * delivery that finds nothing visible moves time to the queue's next message. And the fault that
 * deletes a running invocation's mapping.
 */
class ManualDeliveryTest {

    @RegisterExtension
    static final LocalAwsExtension AWS = new LocalAwsExtension(
            () -> LocalAws.builder().virtualTime(true).manualDelivery(true).start());

    private static SQSBatchResponse ok() {
        return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
    }

    private static String map(LocalAws aws, TestQueues.Queue q, String function, int batchSize) {
        return aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName(function)
                .batchSize(batchSize)).uuid();
    }

    @Test
    void eachDelivery_isOneInvocation_andNothingIsDeliveredBetweenThem(LocalAws aws) {
        List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        aws.registerFunction("step", Duration.ofSeconds(5), (event, context) -> {
            event.getRecords().forEach(m -> bodies.add(m.getBody()));
            return ok();
        });
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "step", 30);
        String uuid = map(aws, q, "step", 2);
        for (int i = 0; i < 3; i++) {
            int n = i;
            aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("m" + n));
        }
        assertEquals(List.of(), bodies, "no poller: nothing runs until the test delivers");

        Delivery first = aws.deliver(q.url());

        assertEquals(uuid, first.mappingUuid());
        assertEquals("step", first.functionName());
        assertEquals(2, first.messageIds().size(), "the mapping's batch size");
        assertTrue(first.succeeded());
        assertEquals(Set.of(), first.failedIds());
        assertEquals(2, bodies.size());
        List<Delivery> rest = aws.deliverAll(q.url(), 10);
        assertEquals(1, rest.size());
        assertEquals(3, bodies.size());
        assertEquals(Set.of("m0", "m1", "m2"), Set.copyOf(bodies));
        assertNull(aws.deliver(q.url()), "nothing left");
    }

    @Test
    void aFailedBatch_comesBackAtItsVisibilityTimeout_inVirtualTime(LocalAws aws) {
        List<Instant> attempts = Collections.synchronizedList(new ArrayList<>());
        aws.registerFunction("flaky", Duration.ofSeconds(5), (event, context) -> {
            attempts.add(aws.clock().instant());
            if (attempts.size() == 1) {
                throw new IllegalStateException("the first attempt fails");
            }
            return ok();
        });
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "flaky", 600);
        map(aws, q, "flaky", 1);
        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("job"));
        long realStart = System.nanoTime();

        Delivery failed = aws.deliver(q.url());
        Delivery again = aws.deliver(q.url());

        assertEquals(InvocationEvent.Outcome.FAILED, failed.outcome());
        assertEquals(Set.copyOf(failed.messageIds()), failed.failedIds());
        assertTrue(again.succeeded());
        assertEquals(failed.messageIds(), again.messageIds(), "the same message");
        Duration gap = Duration.between(attempts.get(0), attempts.get(1));
        assertTrue(gap.compareTo(Duration.ofSeconds(599)) >= 0 && gap.compareTo(Duration.ofSeconds(610)) < 0,
                "the 10-minute visibility timeout passed, gap " + gap);
        assertTrue(Duration.ofNanos(System.nanoTime() - realStart).compareTo(Duration.ofSeconds(5)) < 0);
        assertNull(aws.deliver(q.url()));
    }

    @Test
    void aDelayedMessage_isDeliveredWhenDue_andTimeDoesNotMoveByItself(LocalAws aws) throws Exception {
        List<Instant> seen = Collections.synchronizedList(new ArrayList<>());
        aws.registerFunction("later", Duration.ofSeconds(5), (event, context) -> {
            seen.add(aws.clock().instant());
            return ok();
        });
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "later", 30);
        map(aws, q, "later", 1);
        Instant sent = aws.clock().instant();
        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("in an hour").delaySeconds(900));
        long before = aws.timeSkipped().toMillis();
        Thread.sleep(50); // an automatic skipper would jump 15 minutes within milliseconds

        assertEquals(before, aws.timeSkipped().toMillis(), "no skip without a delivery");
        Delivery d = aws.deliver(q.url());

        assertTrue(d.succeeded());
        Duration waited = Duration.between(sent, seen.get(0));
        assertTrue(waited.compareTo(Duration.ofSeconds(899)) >= 0 && waited.compareTo(Duration.ofSeconds(910)) < 0,
                "delivered when due, after " + waited);
    }

    @Test
    void deleteMapping_atAPoint_deletesTheRunningInvocationsMapping_andTheInvocationGoesOn(LocalAws aws) {
        List<String> done = Collections.synchronizedList(new ArrayList<>());
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "orphan", 30);
        aws.registerFunction("hopper", Duration.ofSeconds(5), (event, context) -> {
            event.getRecords().forEach(m -> {
                aws.faults().point("Unit", m.getBody());
                done.add(m.getBody());
                aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody(m.getBody() + "+"));
            });
            return ok();
        });
        String uuid = map(aws, q, "hopper", 1);
        aws.faults().on("Unit").after(1).times(1).deleteMapping();
        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("a"));

        List<Delivery> deliveries = aws.deliverAll(q.url(), 10);

        assertEquals(2, deliveries.size(), "the second invocation's mapping went; nothing delivered after it");
        assertTrue(deliveries.get(1).succeeded(), "the invocation went on");
        assertEquals(List.of("a", "a+"), done);
        assertEquals(List.of(), aws.lambdaClient().listEventSourceMappings(b -> b.functionName("hopper"))
                .eventSourceMappings().stream().map(EventSourceMappingConfiguration::uuid).toList());
        List<InjectedFault> deleted = aws.faults().injected(InjectedFault.Kind.MAPPING_DELETED);
        assertEquals(1, deleted.size());
        assertTrue(deleted.get(0).detail().contains(uuid), deleted.get(0).detail());
        assertEquals("1", aws.sqsClient().getQueueAttributes(b -> b.queueUrl(q.url()).attributeNamesWithStrings(
                "ApproximateNumberOfMessages")).attributesAsStrings().get("ApproximateNumberOfMessages"),
                "what it passed on waits, with nobody to deliver it");
        assertFalse(deleted.get(0).target().isEmpty());
    }

    @Test
    void misuse_getsClearErrors(LocalAws aws) {
        IllegalStateException idle = assertThrows(IllegalStateException.class, () -> aws.awaitIdle(Duration.ZERO));
        assertTrue(idle.getMessage().contains("deliverAll"), idle.getMessage());
        assertThrows(IllegalArgumentException.class, () -> aws.deliverAll("http://localhost/000000000000/q", 0));
        IllegalStateException noHost = assertThrows(IllegalStateException.class,
                () -> Faults.create(Clock.systemUTC()).on("Unit").deleteMapping());
        assertTrue(noHost.getMessage().contains("LocalAws.faults()"), noHost.getMessage());
        try (LocalAws polling = LocalAws.start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> polling.deliver("http://q/x"));
            assertTrue(e.getMessage().contains("manualDelivery(true)"), e.getMessage());
        }
    }
}
