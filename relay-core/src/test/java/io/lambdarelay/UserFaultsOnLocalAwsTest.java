package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.faults.InjectedFault;
import io.lambdarelay.local.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a user's test can do with {@code LocalAws.faults()}: deliver a message twice at once, kill
 * an invocation at its hand-off, before or after it took effect; and what a relay with a ledger
 * makes of it: an exact result, with the repeated units visible.
 */
class UserFaultsOnLocalAwsTest extends OnLocalAwsWithLedger {
    /** Sums 1..target, two units a hop (as RelayOnLocalAwsTest's), counting how often each number ran. */
    static final class CountingWorker extends RelayOnLocalAwsTest.SummingWorker {
        final Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();

        CountingWorker(Relay relay) {
            super(relay);
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            runs.computeIfAbsent(pkt.getLong("next", 1), k -> new AtomicInteger()).incrementAndGet();
            return super.processUnit(pkt);
        }

        long repeated() {
            return runs.values().stream().filter(n -> n.get() > 1).count();
        }
    }

    private static RelayPacket startChain(String function, CountingWorker worker, long target) {
        aws.registerFunction(function, Duration.ofSeconds(1), worker);
        return relay.setup(LocalContext.of("start", Duration.ofSeconds(30)), function).put("target", target);
    }

    private static void awaitDone(CountingWorker worker, long target) {
        Await.until("the chain to complete", Duration.ofSeconds(40), () -> worker.done.get() != null,
                () -> aws.stats().toString());
        assertEquals(target * (target + 1) / 2, worker.done.get().getLong("sum", 0), "exact");
        assertEquals(1, worker.completions.get(), "completed once");
    }

    @Test
    void aMessageDeliveredTwiceAtOnce_runsItsUnitsTwice_butTheLedgerKeepsOneChain() {
        CountingWorker worker = new CountingWorker(relay);
        RelayPacket pkt = startChain("twice", worker, 12);
        aws.faults().deliverTwice(pkt.relayId(), 1);

        relay.relayPass(pkt);

        awaitDone(worker, 12);
        assertEquals(1, aws.faults().injected(InjectedFault.Kind.DELIVERED_TWICE).stream()
                .filter(f -> f.target().contains(pkt.relayId())).count());
        assertEquals(2, worker.repeated(), "the first hop's two units ran in both invocations, no unit after");
    }

    @Test
    void anInvocationKilledAtItsHandOff_beforeItTookEffect_isDeliveredAgain_andItsUnitsRunAgain() {
        CountingWorker worker = new CountingWorker(relay);
        RelayPacket pkt = startChain("killed-before", worker, 8);
        aws.faults().on("SendMessage").target(pkt.relayId()).times(1).killInvocationBefore();

        relay.relayPass(pkt); // from the test: not an invocation, so not killed

        awaitDone(worker, 8);
        assertEquals(1, kills(pkt));
        assertEquals(2, worker.repeated(), "the units since the last hand-off ran again after the redelivery");
    }

    @Test
    void anInvocationKilledRightAfterItsHandOff_theChainGoesOnFromTheHopItPassed() {
        CountingWorker worker = new CountingWorker(relay);
        RelayPacket pkt = startChain("killed-after", worker, 8);
        aws.faults().on("SendMessage").target(pkt.relayId()).times(1).killInvocationAfter();

        relay.relayPass(pkt);

        awaitDone(worker, 8);
        assertEquals(1, kills(pkt), "killed once, after its SendMessage");
        assertEquals(0, worker.repeated(), "its hop was passed: no unit ran twice");
    }

    private static long kills(RelayPacket pkt) {
        return aws.faults().injected(InjectedFault.Kind.INVOCATION_KILLED).stream()
                .filter(f -> f.target().contains(pkt.relayId())).count();
    }

    @Test
    void killsAndTwiceDeliveries_needAHostOfInvocations() {
        Faults standalone = Faults.create(Clock.systemUTC());
        assertThrows(IllegalStateException.class, () -> standalone.deliverTwice("x", 1));
        assertThrows(IllegalStateException.class, () -> standalone.on("SendMessage").killInvocationBefore());
    }
}
