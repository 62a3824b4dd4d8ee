package io.lambdarelay.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalAwsExtension;
import io.lambdarelay.local.LocalContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A user's test of a 100-hop relay, written as the guide shows: {@link LocalAwsExtension} starts
 * and closes {@code LocalAws} around the class. docs/benchmarks.md times this class in fresh JVMs
 * (part 6); it runs with the rest of the suite too. The worker is part 5's: one unit per
 * invocation, however fast the machine.
 */
@ExtendWith(LocalAwsExtension.class)
class HundredHopRelayTest {
    static final int HOPS = 100;

    @Test
    void aHundredHopRelay_runsEveryHopOnce_completesOnce_andLeavesNothing(LocalAws aws) throws Exception {
        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
        LocalStackBenchmark.OneUnitPerHop worker = new LocalStackBenchmark.OneUnitPerHop(relay);
        aws.registerFunction("hopper", Duration.ofSeconds(10), worker);

        RelayPacket pkt = relay.setup(LocalContext.of("starter", Duration.ofSeconds(30)), "hopper");
        LocalStackBenchmark.Chain chain = worker.begin(pkt.relayId(), HOPS);
        relay.relayPass(pkt);
        aws.awaitIdle(Duration.ofSeconds(120));

        assertEquals(List.of(), chain.timeline.missing(), "every hop ran");
        assertEquals(0, chain.timeline.repeats(), "no hop ran twice");
        assertEquals(HOPS, chain.completedAtHop, "onComplete ran at the last hop");
        assertEquals(HOPS, aws.stats().invocations(), "one invocation per hop");
        assertEquals(List.of(), aws.sqsClient().listQueues().queueUrls());
        assertEquals(List.of(), aws.lambdaClient().listEventSourceMappings().eventSourceMappings());
    }
}
