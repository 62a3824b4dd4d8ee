package io.lambdarelay.benchmarks.usertest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.TimeBudget;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalAwsExtension;
import io.lambdarelay.local.LocalContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A user's test of a 100-hop relay, written as the guide shows: {@link LocalAwsExtension} starts
 * and closes {@code LocalAws} around the class. docs/benchmarks.md times this class in fresh JVMs
 * (part 6); it runs with the rest of the suite too.
 */
@ExtendWith(LocalAwsExtension.class)
class HundredHopRelayTest {
    static final int HOPS = 100;

    /**
     * One unit per invocation: each invocation's budget is a fake 10,000 ms that the unit moves by
     * 4,000 ms, so a second unit never fits and every unit is a hop, however fast the machine.
     */
    static final class OneUnitPerHop extends RelayWorker {
        final Set<Long> hopsSeen = ConcurrentHashMap.newKeySet();
        final AtomicInteger completions = new AtomicInteger();
        private final ThreadLocal<AtomicLong> remaining = new ThreadLocal<>();

        OneUnitPerHop(Relay relay) {
            super(relay);
        }

        @Override
        protected TimeBudget newBudget(Context context, Duration unitHint) {
            AtomicLong fake = new AtomicLong(10_000);
            remaining.set(fake);
            return TimeBudget.builder().remainingMillis(fake::get).unitHint(unitHint).build();
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            remaining.get().addAndGet(-4_000);
            hopsSeen.add(pkt.hop());
            pkt.put("units", pkt.getLong("units", 0) + 1);
            return pkt.getLong("units", 0) < HOPS;
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            completions.incrementAndGet();
        }
    }

    @Test
    void aHundredHopRelay_runsEveryHopOnce_completesOnce_andLeavesNothing(LocalAws aws) {
        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
        OneUnitPerHop worker = new OneUnitPerHop(relay);
        aws.registerFunction("hopper", Duration.ofSeconds(10), worker);

        RelayPacket pkt = relay.setup(LocalContext.of("starter", Duration.ofSeconds(30)), "hopper");
        relay.relayPass(pkt);
        aws.awaitIdle(Duration.ofSeconds(120));

        assertEquals(HOPS, worker.hopsSeen.size(), "one unit per hop");
        assertEquals(1, worker.completions.get());
        assertEquals(HOPS, aws.stats().invocations(), "no invocation repeated");
        assertEquals(List.of(), aws.sqsClient().listQueues().queueUrls());
        assertEquals(List.of(), aws.lambdaClient().listEventSourceMappings().eventSourceMappings());
    }
}
