package io.lambdarelay.local.faults;

import io.lambdarelay.local.LocalAws;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A ready-made check of a worker against the fault model: runs a job once without faults and once
 * under each {@link FaultClass}, each time on a fresh {@code LocalAws} with virtual time, and
 * reports per fault whether the result stayed exact and which units ran more than once: the
 * at-least-once boundary made visible.
 *
 * <p>Lagging counts and empty short polls ({@link Faults#lagCounts}, {@link Faults#emptyShortPolls})
 * are not among the classes: a relay worker reads no counts and polls no queue itself; test code
 * of your own that does with those faults directly. Nor is a deleted mapping
 * ({@link Faults.Rule#deleteMapping()}): it stalls any relay, whatever its worker does, until the
 * janitor removes it at its expiry.
 *
 * <p>The scenario sets the job up on the {@code LocalAws} it is given, runs it to the end and
 * returns its result; its relay reports each unit with {@link Run#unit(String)}, naming it by what
 * makes it that unit (the relay id and the unit's position, say), from the relay's
 * {@code beforeUnit} listener:
 * <pre>{@code
 * FaultCheck.Report report = FaultCheck.of(run -> {
 *     LocalAws aws = run.aws();
 *     Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
 *             .clock(aws.clock()).ledger(new InMemoryRelayLedger())
 *             .beforeUnit(pkt -> run.unit(pkt.relayId() + " #" + pkt.getLong("next", 0)))
 *             .build();
 *     Store store = new Store();
 *     aws.registerFunction("worker", Duration.ofSeconds(5), new MyWorker(relay, store));
 *     relay.relayPass(relay.setup(LocalContext.of("start", Duration.ofSeconds(30)), "worker"));
 *     aws.awaitIdle(Duration.ofSeconds(60));
 *     return store.total();
 * }).expect(5050L).run();
 * assertTrue(report.allExact(), report.table());
 * }</pre>
 * The faults are armed before the scenario runs; those that act on invocations act only in the
 * worker's invocations, those on {@code SendMessage} spare the first send (the one that starts the
 * relay). Give the worker a short timeout: a hung unit costs it in real time. Not thread-safe.
 */
public final class FaultCheck {

    /** The name of the {@linkplain Faults#point fault point} units pass. */
    public static final String UNIT = "Unit";

    private final Scenario scenario;
    private Object expected;
    private boolean expectedSet;
    private List<FaultClass> faults = List.of(FaultClass.values());
    private Duration timeout = Duration.ofSeconds(60);
    private Supplier<LocalAws> localAws = () -> LocalAws.builder().virtualTime(true).start();

    private FaultCheck(Scenario scenario) {
        this.scenario = Objects.requireNonNull(scenario, "scenario");
    }

    /**
     * Starts a check of a scenario.
     *
     * @param scenario sets the job up, runs it to the end and returns its result
     * @return the check, to configure and {@link #run()}
     */
    public static FaultCheck of(Scenario scenario) {
        return new FaultCheck(scenario);
    }

    /**
     * The result a correct run gives; compared with {@code equals}. Without it, the run without
     * faults sets it.
     *
     * @param result the expected result
     * @return this check
     */
    public FaultCheck expect(Object result) {
        this.expected = result;
        this.expectedSet = true;
        return this;
    }

    /**
     * Which fault classes to run; default all. The run without faults always comes first.
     *
     * @param classes the classes
     * @return this check
     */
    public FaultCheck faults(FaultClass... classes) {
        this.faults = List.of(classes);
        return this;
    }

    /**
     * How long one run may take in real time before it is reported as not finished; default 60 s.
     *
     * @param timeout more than zero
     * @return this check
     */
    public FaultCheck timeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be more than zero, was " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * Starts each run's {@code LocalAws}; default {@code LocalAws.builder().virtualTime(true).start()}.
     *
     * @param localAws starts a fresh {@code LocalAws}
     * @return this check
     */
    public FaultCheck localAws(Supplier<LocalAws> localAws) {
        this.localAws = Objects.requireNonNull(localAws, "localAws");
        return this;
    }

    /**
     * Runs the scenario without faults, then under each fault class in turn.
     *
     * @return one outcome per run
     */
    public Report run() {
        List<Outcome> outcomes = new ArrayList<>();
        Outcome baseline = runOnce(null);
        outcomes.add(baseline);
        Object want = expectedSet ? expected : baseline.result();
        outcomes.set(0, baseline.judged(want));
        for (FaultClass f : faults) {
            outcomes.add(runOnce(f).judged(want));
        }
        return new Report(want, List.copyOf(outcomes));
    }

    private Outcome runOnce(FaultClass fault) {
        long started = System.nanoTime();
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fault-check-" + (fault == null ? "none" : fault.name().toLowerCase(Locale.ROOT)));
            t.setDaemon(true);
            return t;
        });
        try (LocalAws aws = localAws.get()) {
            if (fault != null) {
                fault.arm.accept(aws.faults());
            }
            Run run = new Run(aws, fault);
            Future<Object> result = runner.submit(() -> scenario.run(run));
            Object value = null;
            String error = null;
            try {
                value = result.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                error = "did not finish in " + timeout.toSeconds() + " s of real time";
            } catch (ExecutionException e) {
                error = e.getCause().toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = "interrupted";
            }
            Map<String, Integer> passes = aws.faults().passes(UNIT);
            Map<String, Integer> repeated = new TreeMap<>();
            passes.forEach((unit, n) -> {
                if (n > 1) {
                    repeated.put(unit, n);
                }
            });
            return new Outcome(fault, value, false, error, repeated, passes.size(),
                    aws.faults().injected(), aws.timeSkipped(), Duration.ofNanos(System.nanoTime() - started));
        } finally {
            runner.shutdownNow();
        }
    }

    /** Sets a job up on a {@code LocalAws}, runs it to the end and returns its result. */
    @FunctionalInterface
    public interface Scenario {
        /**
         * Runs the job once.
         *
         * @param run the {@code LocalAws} to run on, and where units are reported
         * @return the job's result, compared with the expected one
         * @throws Exception fails the run; reported, not thrown
         */
        Object run(Run run) throws Exception;
    }

    /** One run of the scenario. */
    public static final class Run {
        private final LocalAws aws;
        private final FaultClass fault;

        private Run(LocalAws aws, FaultClass fault) {
            this.aws = aws;
            this.fault = fault;
        }

        /** {@return the fresh {@code LocalAws} of this run, with the fault armed} */
        public LocalAws aws() {
            return aws;
        }

        /** {@return the fault of this run, or {@code null} for the run without faults} */
        public FaultClass fault() {
            return fault;
        }

        /**
         * Reports a unit about to run, by a name that says which unit it is; call it from the
         * relay's {@code beforeUnit} listener. Faults that act at units act here.
         *
         * @param unit the unit's name, the same each time the same unit runs
         */
        public void unit(String unit) {
            aws.faults().point(UNIT, unit);
        }
    }

    /** The fault classes of the fault model a worker must stand. */
    public enum FaultClass {
        /** The first batch of the relay queue is delivered to two invocations at once. */
        DELIVERED_TWICE("a batch delivered to two invocations at once", f -> f.deliverTwice("", 1)),
        /** The invocation dies after its first unit (killed before its second). */
        KILLED_AFTER_UNIT("invocation killed after its first unit",
                f -> f.on(UNIT).after(1).times(1).killInvocationBefore()),
        /** The invocation runs out of memory before its third unit. */
        OUT_OF_MEMORY("invocation out of memory after its second unit",
                f -> f.on(UNIT).after(2).times(1).outOfMemory()),
        /** The second unit hangs until the deadline hand-off (or the timeout) stops it. */
        HUNG_UNTIL_DEADLINE("second unit hangs until the invocation's deadline",
                f -> f.on(UNIT).after(1).times(1).hang()),
        /** An invocation dies at its hand-off, before the send took effect. */
        KILLED_BEFORE_HAND_OFF("invocation killed at its hand-off, before the send",
                f -> f.on("SendMessage").after(1).times(1).killInvocationBefore()),
        /** An invocation dies right after its hand-off took effect. */
        KILLED_AFTER_HAND_OFF("invocation killed right after its hand-off was sent",
                f -> f.on("SendMessage").after(1).times(1).killInvocationAfter()),
        /** A hand-off's response is lost after the send took effect. */
        HAND_OFF_RESPONSE_LOST("a hand-off sent, its response lost",
                f -> f.on("SendMessage").after(1).times(1).loseResponse()),
        /** Two hand-offs are throttled. */
        HAND_OFF_THROTTLED("two hand-offs throttled", f -> f.on("SendMessage").after(1).times(2).throttle());

        private final String description;
        private final Consumer<Faults> arm;

        FaultClass(String description, Consumer<Faults> arm) {
            this.description = description;
            this.arm = arm;
        }

        /** {@return the fault in words} */
        public String description() {
            return description;
        }
    }

    /**
     * One run's outcome.
     *
     * @param fault the fault class, {@code null} for the run without faults
     * @param result what the scenario returned, {@code null} if it failed
     * @param exact whether the result equals the expected one
     * @param error why the run failed or did not finish, {@code null} if it returned
     * @param repeatedUnits the units that ran more than once, with how often they ran
     * @param units how many different units ran
     * @param injected the faults injected
     * @param virtualTime how far virtual time skipped
     * @param realTime how long the run took in real time
     */
    public record Outcome(FaultClass fault, Object result, boolean exact, String error,
            Map<String, Integer> repeatedUnits, int units, List<InjectedFault> injected, Duration virtualTime,
            Duration realTime) {

        Outcome judged(Object expected) {
            return new Outcome(fault, result, error == null && Objects.equals(expected, result), error, repeatedUnits,
                    units, injected, virtualTime, realTime);
        }

        /** {@return whether the fault was injected at all: a fault that never fired tested nothing} */
        public boolean faultFired() {
            return fault == null || !injected.isEmpty();
        }
    }

    /**
     * What the check found.
     *
     * @param expected the result every run should give
     * @param outcomes the run without faults first, then one per fault class
     */
    public record Report(Object expected, List<Outcome> outcomes) {

        /** {@return whether every run gave the expected result} */
        public boolean allExact() {
            return outcomes.stream().allMatch(Outcome::exact);
        }

        /**
         * The outcome under one fault class.
         *
         * @param fault the class
         * @return its outcome
         * @throws IllegalArgumentException if the check did not run it
         */
        public Outcome of(FaultClass fault) {
            return outcomes.stream().filter(o -> o.fault() == fault).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(fault + " was not run"));
        }

        /** {@return the report as a Markdown table: fault, exact, units repeated, injected, virtual and real time} */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append("| fault | result exact | units run more than once | faults injected | virtual time | real time |\n");
            b.append("|---|---|---|---|---|---|\n");
            for (Outcome o : outcomes) {
                b.append("| ").append(o.fault() == null ? "none" : o.fault().description())
                        .append(" | ").append(o.exact() ? "yes" : "**no**" + (o.error() == null ? ": " + o.result()
                                : ": " + o.error()))
                        .append(" | ").append(o.repeatedUnits().isEmpty() ? "none" : repeated(o.repeatedUnits()))
                        .append(" | ").append(o.injected().size())
                        .append(" | ").append(String.format(Locale.ROOT, "%.1f min", o.virtualTime().toMillis() / 60_000.0))
                        .append(" | ").append(String.format(Locale.ROOT, "%.1f s", o.realTime().toMillis() / 1000.0))
                        .append(" |\n");
            }
            return b.toString();
        }

        private static String repeated(Map<String, Integer> units) {
            List<String> parts = new ArrayList<>();
            units.forEach((u, n) -> parts.add(u + " (" + n + "x)"));
            return units.size() + ": " + String.join(", ", parts.size() > 6 ? parts.subList(0, 6) : parts)
                    + (parts.size() > 6 ? ", ..." : "");
        }
    }
}
