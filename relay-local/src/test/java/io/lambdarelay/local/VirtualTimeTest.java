package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Virtual time: delays and visibility timeouts pass in milliseconds of real time when nothing
 * runs, never while an invocation runs.
 */
class VirtualTimeTest {

    @RegisterExtension
    static final LocalAwsExtension AWS = new LocalAwsExtension(() -> LocalAws.builder().virtualTime(true).start());

    /** Real time a test may take; the virtual times below are minutes. */
    private static final Duration REAL_WAIT = Duration.ofSeconds(20);

    private record Seen(String body, Instant at, SQSEvent.SQSMessage message) {
    }

    private static void map(LocalAws aws, TestQueues.Queue q, String function) {
        aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName(function).batchSize(1));
    }

    private static SQSBatchResponse ok() {
        return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
    }

    /** Registers a function that keeps every record it receives; returns them as they come. */
    private static BlockingQueue<SQSEvent.SQSMessage> recordsOf(LocalAws aws, String function) {
        BlockingQueue<SQSEvent.SQSMessage> seen = new ArrayBlockingQueue<>(10);
        aws.registerFunction(function, Duration.ofSeconds(5), (event, context) -> {
            seen.addAll(event.getRecords());
            return ok();
        });
        return seen;
    }

    @Test
    void aFifteenMinuteDelay_passesInVirtualTime(LocalAws aws) throws Exception {
        Clock clock = aws.clock();
        BlockingQueue<Seen> seen = new ArrayBlockingQueue<>(10);
        aws.registerFunction("late", Duration.ofSeconds(5), (event, context) -> {
            event.getRecords().forEach(m -> seen.add(new Seen(m.getBody(), clock.instant(), m)));
            return ok();
        });
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "late", 30);
        map(aws, q, "late");
        long realStart = System.nanoTime();
        Instant sent = clock.instant();

        // In this order: between two calls of the test's own thread nothing runs, so time may skip there.
        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("now"));
        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("in 15 minutes").delaySeconds(900));

        Seen first = seen.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        Seen second = seen.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        Duration real = Duration.ofNanos(System.nanoTime() - realStart);
        assertNotNull(second, "both messages delivered");
        assertEquals("now", first.body());
        assertEquals("in 15 minutes", second.body());
        Duration virtual = Duration.between(sent, second.at());
        assertTrue(virtual.compareTo(Duration.ofSeconds(900)) >= 0 && virtual.compareTo(Duration.ofSeconds(960)) < 0,
                "delivered 15 virtual minutes after the send, was " + virtual);
        assertTrue(real.compareTo(Duration.ofSeconds(10)) < 0, "in seconds of real time, took " + real);
        assertTrue(aws.timeSkipped().compareTo(Duration.ofSeconds(890)) >= 0, "skipped " + aws.timeSkipped());
    }

    @Test
    void aVisibilityTimeout_passesInVirtualTime_andRedeliversTheMessage(LocalAws aws) throws Exception {
        Clock clock = aws.clock();
        BlockingQueue<Instant> attempts = new ArrayBlockingQueue<>(10);
        AtomicInteger calls = new AtomicInteger();
        aws.registerFunction("retry", Duration.ofSeconds(5), (event, context) -> {
            attempts.add(clock.instant());
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            return ok();
        });
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "retry", 600);
        map(aws, q, "retry");

        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("job"));

        Instant first = attempts.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        Instant second = attempts.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(second, "redelivered after the visibility timeout");
        Duration gap = Duration.between(first, second);
        assertTrue(gap.compareTo(Duration.ofSeconds(599)) >= 0 && gap.compareTo(Duration.ofSeconds(660)) < 0,
                "the 10-minute visibility timeout passed in virtual time, gap " + gap);
        aws.awaitIdle(REAL_WAIT);
        assertEquals(2, calls.get());
    }

    @Test
    void aRunningInvocation_neverSeesTheClockJump(LocalAws aws) throws Exception {
        Clock clock = aws.clock();
        BlockingQueue<Duration> spans = new ArrayBlockingQueue<>(10);
        BlockingQueue<String> delayedCount = new ArrayBlockingQueue<>(10);
        TestQueues.Queue later = TestQueues.create(aws.sqsClient(), "jump-later", 30);
        aws.registerFunction("busy", Duration.ofSeconds(10), (event, context) -> {
            Instant start = clock.instant();
            // A message due in 10 minutes is held while this runs; the clock must not skip to it.
            aws.sqsClient().sendMessage(b -> b.queueUrl(later.url()).messageBody("later").delaySeconds(600));
            delayedCount.add(aws.sqsClient().getQueueAttributes(b -> b.queueUrl(later.url())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
            long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            spans.add(Duration.between(start, clock.instant()));
            return ok();
        });
        BlockingQueue<SQSEvent.SQSMessage> laterSeen = recordsOf(aws, "later");
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "jump-busy", 30);
        map(aws, q, "busy");
        map(aws, later, "later");

        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("work"));

        Duration span = spans.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(span, "invoked");
        assertTrue(span.compareTo(Duration.ofSeconds(5)) < 0, "the clock ran at real speed during the invocation: "
                + span);
        assertEquals("1", delayedCount.take(), "a held message counts as delayed");
        SQSEvent.SQSMessage m = laterSeen.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(m, "the held message arrived once nothing ran");
        assertNotNull(m.getAttributes().get("AWSTraceHeader"), "it kept the trace header of the invocation that sent it");
    }

    @Test
    void aRecordsSentTimestamp_isOnTheVirtualClock(LocalAws aws) throws Exception {
        BlockingQueue<SQSEvent.SQSMessage> seen = recordsOf(aws, "stamped");
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "stamped", 30);
        map(aws, q, "stamped");
        aws.advanceTime(Duration.ofHours(1)); // ElasticMQ dates the message by the system clock, an hour behind
        long before = aws.clock().millis();

        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("when?"));

        SQSEvent.SQSMessage m = seen.poll(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(m, "delivered");
        long sent = Long.parseLong(m.getAttributes().get("SentTimestamp"));
        assertTrue(sent >= before, "SentTimestamp " + sent + " is before the send at " + before
                + " by the virtual clock: a worker would count skipped time as the message's wait");
    }

    @Test
    void advanceTime_movesTheClock_andReleasesWhatBecameDue(LocalAws aws) {
        Instant before = aws.clock().instant();
        aws.advanceTime(Duration.ofHours(2));
        assertTrue(Duration.between(before, aws.clock().instant()).compareTo(Duration.ofHours(2)) >= 0);
        assertThrows(IllegalArgumentException.class, () -> aws.advanceTime(Duration.ofSeconds(-1)));
    }

    @Test
    void virtualTime_isRefusedWithAClockOfItsOwn_andAdvanceTimeWithoutIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalAws.builder().clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(1)))
                        .virtualTime(true).start());
        assertTrue(e.getMessage().contains("virtualTime"), e.getMessage());
        try (LocalAws plain = LocalAws.start()) {
            IllegalStateException s = assertThrows(IllegalStateException.class,
                    () -> plain.advanceTime(Duration.ofMinutes(1)));
            assertTrue(s.getMessage().contains("virtualTime(true)"), s.getMessage());
            assertEquals(Duration.ZERO, plain.timeSkipped());
        }
    }
}
