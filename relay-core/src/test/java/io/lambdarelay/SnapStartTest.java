package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.crac.Context;
import org.crac.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.PutFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Lambda SnapStart: nothing random is taken at construction (environments restored from one
 * snapshot back off apart), priming runs a hop's code without a network call, and the
 * {@code org.crac} hook primes before a checkpoint, while the library loads and runs without
 * {@code org.crac}. No sleeps: entropy, pauses and checkpoints are the test's.
 */
class SnapStartTest extends OnEmbeddedSqs {
    private RecordingLambda lambda;

    @BeforeEach
    void setUp() {
        lambda = new RecordingLambda(SqsServer.REGION).function("worker", 10);
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    /**
     * Entropy as execution environments restored from one snapshot see it: the same in all of them
     * until each is restored, then each its own. Counts its draws.
     */
    private static final class Entropy implements LongSupplier {
        private long value;
        private int draws;

        Entropy(long value) {
            this.value = value;
        }

        @Override
        public synchronized long getAsLong() {
            draws++;
            return value;
        }

        synchronized void restoredAs(long value) {
            this.value = value;
        }

        synchronized int draws() {
            return draws;
        }
    }

    private Relay relay(LongSupplier entropy) {
        return Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).seeds(entropy).build();
    }

    /** Counts its units and primings; its priming can be made to fail. */
    private static final class Worker extends RelayWorker {
        int units;
        int primed;
        RuntimeException primingFails;

        Worker(Relay relay) {
            super(relay);
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            units++;
            return false;
        }

        @Override
        public void prime() {
            primed++;
            if (primingFails != null) {
                throw primingFails;
            }
            super.prime();
        }
    }

    /** A worker as a user writes one, with nothing of this test in it. */
    public static final class PlainWorker extends RelayWorker {
        public PlainWorker(Relay relay) {
            super(relay);
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            return false;
        }
    }

    /** A checkpoint context as a CRaC JVM keeps one: it tells its resources of a checkpoint and a restore. */
    private static final class CheckpointContext extends Context<Resource> {
        final List<Resource> resources = new ArrayList<>();

        @Override
        public void register(Resource resource) {
            resources.add(resource);
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
            tellEach(r -> r.beforeCheckpoint(this));
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            tellEach(r -> r.afterRestore(this));
        }

        private interface Notice {
            void tell(Resource resource) throws Exception;
        }

        private void tellEach(Notice notice) {
            for (Resource r : resources) {
                try {
                    notice.tell(r);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static List<Long> throttleDelays(RelayWorker worker) {
        List<Long> delays = new ArrayList<>();
        for (int throttles = 1; throttles <= 6; throttles++) {
            delays.add(worker.throttleDelay(throttles).toMillis());
        }
        return delays;
    }

    @Test
    void throttleDelay_workersRestoredFromOneSnapshot_drawDifferentJitter() {
        // Two environments built and primed from one state, as a snapshot holds them.
        Entropy first = new Entropy(42);
        Entropy second = new Entropy(42);
        Worker a = new Worker(relay(first));
        Worker b = new Worker(relay(second));
        a.prime();
        b.prime();
        assertEquals(0, first.draws() + second.draws(), "nothing random is drawn at construction or priming");

        first.restoredAs(1);
        second.restoredAs(2);
        List<Long> fromA = throttleDelays(a);
        List<Long> fromB = throttleDelays(b);
        assertNotEquals(fromA, fromB, "restored environments back off apart");
        assertEquals(6, first.draws(), "one draw per back-off");

        // The jitter is the entropy at the draw and nothing else: the same entropy, the same back-offs.
        second.restoredAs(1);
        assertEquals(fromA, throttleDelays(b));
    }

    @Test
    void relayPassAll_backOffJitter_isDrawnAtEachBackOff() {
        List<Long> one = batchBackOffs(new Entropy(1));
        List<Long> two = batchBackOffs(new Entropy(2));
        assertNotEquals(one, two);
        assertEquals(one, batchBackOffs(new Entropy(1)), "the back-offs come from the entropy at the draw alone");
    }

    /** The pauses of a relayPassAll whose first three calls are throttled. */
    private List<Long> batchBackOffs(Entropy entropy) {
        Faults faults = Faults.create(Clock.systemUTC());
        List<Long> pauses = Collections.synchronizedList(new ArrayList<>());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).pause(pauses::add)
                .seeds(entropy).build();
        RelayPacket pkt = r.setup(null, "worker");
        assertEquals(0, entropy.draws(), "setup draws nothing");
        faults.on("SendMessageBatch").times(3).throttle();
        r.relayPassAll(pkt.split(10));
        assertEquals(3, pauses.size());
        assertEquals(3, entropy.draws(), "one draw per back-off");
        return pauses;
    }

    @Test
    void prime_callsNoClientOfTheRelay_drawsNothing_andKeepsNothing() {
        Entropy entropy = new Entropy(7);
        Relay relay = relay(entropy);
        Worker worker = new Worker(relay);
        Duration reserve = relay.wiring().sender().handOffCost().reserve();
        sqs.resetCalls();

        worker.prime();

        assertEquals(0, sqs.totalCalls());
        assertEquals(List.of(), lambda.requests());
        assertEquals(0, entropy.draws());
        assertEquals(0, worker.units, "priming runs no unit");
        assertEquals(reserve, relay.wiring().sender().handOffCost().reserve(), "the sample pass is not measured");
        RelayPacket pkt = relay.setup(null, "worker");
        relay.relayPass(pkt);
        assertEquals(1, sqs.calls("SendMessage"), "the relay works as before");
    }

    @Test
    void prime_runsAHopOnASamplePacket_throughTheSdksWholeRequestPath() {
        Priming.Primed primed = Priming.relay(relay(new Entropy(7)));

        assertEquals(1, primed.read().hop(), "read as the next hop receives it");
        assertEquals("a", primed.read().getString("text"));
        assertArrayEquals(new long[][] {{1, 2}}, primed.read().get("rows", long[][].class));
        assertEquals("00000000-0000-0000-0000-000000000000", primed.offlineMessageId(),
                "the SDK parsed the in-process answer and accepted its MD5");
    }

    @Test
    void workerPrimeBeforeCheckpoint_registersOnce_andTheCheckpointPrimesIt() {
        Worker worker = new Worker(relay(new Entropy(7)));
        CheckpointContext checkpoint = new CheckpointContext();

        assertTrue(worker.primeBeforeCheckpoint(checkpoint));
        assertTrue(worker.primeBeforeCheckpoint(checkpoint));
        assertEquals(1, checkpoint.resources.size(), "registered once");
        assertEquals(0, worker.primed, "registering primes nothing yet");

        sqs.resetCalls();
        checkpoint.beforeCheckpoint(null);
        assertEquals(1, worker.primed);
        assertEquals(0, sqs.totalCalls());
        checkpoint.afterRestore(null);
        assertEquals(1, worker.primed, "a restore primes nothing");
    }

    @Test
    void aPrimingThatFailsAtTheCheckpoint_doesNotStopTheSnapshot() {
        Worker worker = new Worker(relay(new Entropy(7)));
        worker.primingFails = new IllegalStateException("no region in this environment");
        CheckpointContext checkpoint = new CheckpointContext();
        assertTrue(worker.primeBeforeCheckpoint(checkpoint));

        checkpoint.beforeCheckpoint(null);

        assertEquals(1, worker.primed, "it ran, failed, and the checkpoint went on");
    }

    @Test
    void relayPrimeBeforeCheckpoint_registersOnce_andTheCheckpointPrimesWithoutACall() {
        Relay relay = relay(new Entropy(7));
        CheckpointContext checkpoint = new CheckpointContext();

        assertTrue(relay.primeBeforeCheckpoint(checkpoint));
        assertTrue(relay.primeBeforeCheckpoint(checkpoint));
        assertEquals(1, checkpoint.resources.size());
        sqs.resetCalls();
        checkpoint.beforeCheckpoint(null);
        assertEquals(0, sqs.totalCalls());
        assertEquals(List.of(), lambda.requests());
    }

    @Test
    void primeBeforeCheckpoint_onOrgCracsGlobalContext_isAccepted() {
        // Outside a CRaC JVM org.crac keeps the resource and never calls it.
        Relay relay = relay(new Entropy(7));
        assertTrue(relay.primeBeforeCheckpoint());
        assertTrue(new Worker(relay).primeBeforeCheckpoint());
    }

    @Test
    void setup_ofAnAlias_mapsTheAlias_andAllowsRecursionOnTheFunction() {
        // SnapStart applies to published versions: a relay for it is set up with the worker's alias.
        lambda.alias("worker", "live");
        Relay relay = relay(new Entropy(7));

        RelayPacket pkt = relay.setup(null, "worker:live");

        assertEquals(List.of(lambda.arn("worker") + ":live"), lambda.requests(CreateEventSourceMappingRequest.class)
                .stream().map(CreateEventSourceMappingRequest::functionName).toList(), "the mapping invokes the alias");
        assertEquals(List.of(lambda.arn("worker"), lambda.arn("worker")), Stream.concat(
                lambda.requests(GetFunctionRecursionConfigRequest.class).stream().map(r -> r.functionName()),
                lambda.requests(PutFunctionRecursionConfigRequest.class).stream().map(r -> r.functionName())).toList(),
                "the recursion config is a setting of the function, not of a version");
        assertEquals(RecursiveLoop.ALLOW, lambda.recursion("worker"));
        assertTrue(pkt.queueUrl().contains("relay-worker-"), "named after the function: " + pkt.queueUrl());
        assertTrue(relay.tearDown(pkt).mappingDeleted(), "tear-down finds the alias's mapping by the queue");
        assertEquals(Map.of(), lambda.mappings());
    }

    @Test
    void withoutOrgCrac_theRelayAndAWorkerLoad_prime_andRegisterNothing() throws Exception {
        ClassLoader withoutCrac = new WithoutOrgCrac(SnapStartTest.class.getClassLoader());
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.crac.Resource", false, withoutCrac));
        assertThrows(NoClassDefFoundError.class, () -> Class.forName("io.lambdarelay.CracPriming", true, withoutCrac),
                "the loader hides org.crac from the library's own classes");

        Class<?> relayClass = Class.forName(Relay.class.getName(), true, withoutCrac);
        Class<?> workerClass = Class.forName(PlainWorker.class.getName(), true, withoutCrac);
        for (Class<?> c : List.of(relayClass, Class.forName(Relay.Builder.class.getName(), true, withoutCrac),
                Class.forName(RelayWorker.class.getName(), true, withoutCrac), workerClass)) {
            // What Lambda's runtime does to a handler class, and frameworks to any class.
            c.getDeclaredMethods();
            c.getDeclaredConstructors();
            c.getDeclaredFields();
        }
        Object builder = relayClass.getMethod("builder").invoke(null);
        builder.getClass().getMethod("sqsClient", SqsClient.class).invoke(builder, sqs.client());
        builder.getClass().getMethod("lambdaClient", LambdaClient.class).invoke(builder, lambda);
        Object relay = builder.getClass().getMethod("build").invoke(builder);
        Object worker = workerClass.getConstructor(relayClass).newInstance(relay);
        sqs.resetCalls();

        workerClass.getMethod("prime").invoke(worker);

        assertEquals(Boolean.FALSE, workerClass.getMethod("primeBeforeCheckpoint").invoke(worker));
        assertEquals(Boolean.FALSE, relayClass.getMethod("primeBeforeCheckpoint").invoke(relay));
        assertEquals(0, sqs.totalCalls());
    }

    /**
     * Loads the library's classes (and this module's test classes) afresh, and finds no
     * {@code org.crac}, as on a classpath without the optional jar; everything else comes from the
     * parent.
     */
    private static final class WithoutOrgCrac extends ClassLoader {
        WithoutOrgCrac(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.startsWith("org.crac.")) {
                    throw new ClassNotFoundException(name + " (hidden: org.crac is not on this classpath)");
                }
                if (!name.startsWith("io.lambdarelay.") || name.startsWith("io.lambdarelay.local.")) {
                    return super.loadClass(name, resolve);
                }
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
