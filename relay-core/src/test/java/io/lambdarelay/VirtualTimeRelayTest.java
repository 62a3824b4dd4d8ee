package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A relay's hours on {@code LocalAws} virtual time: long delays, deadlines and tear-downs in
 * seconds of real time.
 */
class VirtualTimeRelayTest {
    private static LocalAws aws;
    private static Relay relay;
    private static Clock clock;

    @BeforeAll
    static void start() {
        aws = LocalAws.builder().virtualTime(true).start();
        clock = aws.clock();
        relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(clock).build();
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    /** Every unit is throttled, and each throttle waits 20 minutes: the relay can only run out of time. */
    static final class AlwaysThrottled extends RelayWorker {
        final List<Instant> attempts = new CopyOnWriteArrayList<>();
        final AtomicReference<RelayFailure> failure = new AtomicReference<>();
        final AtomicReference<Instant> failedAt = new AtomicReference<>();

        AlwaysThrottled(Relay relay) {
            super(relay);
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws RelayThrottledException {
            attempts.add(clock.instant());
            throw new RelayThrottledException("the vendor says: come back in 20 minutes");
        }

        @Override
        protected Duration throttleDelay(int throttles) {
            return Duration.ofMinutes(20);
        }

        @Override
        protected void onRelayFailed(RelayPacket pkt, RelayFailure f, Context context) {
            failedAt.set(clock.instant());
            failure.set(f);
        }
    }

    @Test
    void aTwoHourDeadline_withTwentyMinuteDelays_endsTheRelayOnTime_inSecondsOfRealTime() {
        AlwaysThrottled worker = new AlwaysThrottled(relay);
        aws.registerFunction("throttled", Duration.ofSeconds(30), worker);
        long realStart = System.nanoTime();
        Instant started = clock.instant();
        RelayPacket pkt = relay.setup(LocalContext.of("start", Duration.ofSeconds(30)), "throttled",
                RelaySetup.builder().expiresAfter(Duration.ofHours(2)).maxIdleHops(50).build());

        relay.relayPass(pkt);

        Await.until("the relay to end at its deadline", Duration.ofSeconds(30), () -> worker.failure.get() != null,
                () -> "attempts " + worker.attempts + ", " + aws.stats());
        Duration real = Duration.ofNanos(System.nanoTime() - realStart);
        assertEquals(RelayFailure.Reason.DEADLINE, worker.failure.get().reason(), worker.failure.get().message());
        List<Instant> attempts = worker.attempts;
        assertEquals(6, attempts.size(), "a unit at 0, 20, 40, 60, 80 and 100 minutes: " + attempts);
        for (int i = 1; i < attempts.size(); i++) {
            Duration gap = Duration.between(attempts.get(i - 1), attempts.get(i));
            assertTrue(gap.compareTo(Duration.ofMinutes(20)) >= 0 && gap.compareTo(Duration.ofMinutes(21)) < 0,
                    "20 virtual minutes between units " + (i - 1) + " and " + i + ", was " + gap);
        }
        Duration endedAfter = Duration.between(started, worker.failedAt.get());
        assertTrue(endedAfter.compareTo(Duration.ofHours(2)) >= 0 && endedAfter.compareTo(Duration.ofMinutes(121)) < 0,
                "ended when the deadline passed, at " + endedAfter);
        aws.awaitIdle(Duration.ofSeconds(20));
        assertTrue(aws.sqsClient().listQueues().queueUrls().stream().noneMatch(u -> u.equals(pkt.queueUrl())),
                "torn down");
        assertTrue(real.compareTo(Duration.ofSeconds(10)) < 0, "two virtual hours took " + real + " of real time");
    }
}
