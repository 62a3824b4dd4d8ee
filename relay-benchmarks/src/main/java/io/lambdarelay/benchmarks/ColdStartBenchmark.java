package io.lambdarelay.benchmarks;

import io.lambdarelay.benchmarks.coldstart.ColdStartReport;
import io.lambdarelay.benchmarks.coldstart.RelayFirstPass;
import io.lambdarelay.benchmarks.coldstart.SqsAndLambdaFirstSend;
import io.lambdarelay.benchmarks.coldstart.SqsFirstSend;
import io.lambdarelay.local.testing.SqsServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Part 4: the time from starting a fresh JVM to its first message on the queue, for a worker that
 * uses the relay against one that uses a bare {@code SqsClient}.
 *
 * <p>The children run on relay-core's runtime classpath only (what a deployed function has), get
 * region, credentials and the embedded queue's endpoint from the environment as a Lambda function
 * does, and are isolated from the user's AWS config files. The parent times each child from
 * {@code ProcessBuilder.start()} to the child's report line, which it prints after SQS has
 * accepted the message; process creation and JVM boot are in both figures alike. The child adds
 * the CPU time it has used, which other load on the machine disturbs far less than wall time.
 * The kinds take turns in a rotating order, after one discarded warm-up round that fills the file
 * cache.
 */
final class ColdStartBenchmark {
    static final int WARMUP_ROUNDS = 1;
    static final int ROUNDS = 30;
    /** The target by wall time: at most 5% over a bare SqsClient send (issue 14, SnapStart-ready). */
    static final double MAX_WALL_RATIO = 1.05;
    /**
     * CPU time keeps the earlier target of 15%: its row guards the wall-time row against load
     * noise (a PASS needs both), and it counts the JIT's and GC's threads, which wall time overlaps.
     */
    static final double MAX_CPU_RATIO = 1.15;
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    /** The three kinds of child. */
    enum Kind {
        RELAY("Relay.create() + relayPass", RelayFirstPass.class),
        SQS("SqsClient.create() + sendMessage", SqsFirstSend.class),
        SQS_AND_LAMBDA("SqsClient + LambdaClient.create() + sendMessage", SqsAndLambdaFirstSend.class);

        final String label;
        final Class<?> main;

        Kind(String label, Class<?> main) {
            this.label = label;
            this.main = main;
        }
    }

    private ColdStartBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) throws IOException, InterruptedException {
        List<Path> coreClasspath = BuildOutput.relayCoreClasspath();
        String classpath = BuildOutput.runnerLocation() + File.pathSeparator
                + coreClasspath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        Path scratch = Files.createTempDirectory("relay-coldstart");
        Map<Kind, List<Sample>> samples = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            samples.put(k, new ArrayList<>());
        }
        long queued;
        try (SqsServer sqs = SqsServer.start()) {
            String queueUrl = sqs.createQueue("bench-coldstart");
            String body = Packets.realistic(queueUrl);
            Map<String, String> env = childEnvironment(sqs, scratch);
            out.printf(Locale.ROOT, "%d warm-up round(s), then %d rounds of %d fresh JVMs each; classpath: the "
                    + "runner jar + relay-core and its runtime dependencies, %d jars%n", WARMUP_ROUNDS, ROUNDS,
                    Kind.values().length, coreClasspath.size());
            Kind[] kinds = Kind.values();
            for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
                for (int i = 0; i < kinds.length; i++) {
                    Kind kind = kinds[Math.floorMod(round + i, kinds.length)];
                    List<String> args = kind == Kind.RELAY ? List.of(body) : List.of(queueUrl, body);
                    Sample sample = spawn(kind, classpath, args, env, scratch);
                    if (round >= 0) {
                        samples.get(kind).add(sample);
                    }
                }
            }
            queued = Long.parseLong(sqs.client().getQueueAttributes(r -> r.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        } finally {
            deleteRecursively(scratch);
        }
        int expected = (WARMUP_ROUNDS + ROUNDS) * Kind.values().length;
        if (queued != expected) {
            throw new IllegalStateException("the queue holds " + queued + " messages, expected " + expected
                    + ": some child did not really send");
        }

        Map<Kind, Double> wall = new EnumMap<>(Kind.class);
        Map<Kind, Double> cpu = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            double[] w = samples.get(k).stream().mapToDouble(Sample::wallMillis).toArray();
            double[] c = samples.get(k).stream().mapToDouble(Sample::cpuMillis).toArray();
            wall.put(k, Stats.median(w));
            cpu.put(k, Stats.median(c));
            out.printf(Locale.ROOT, "  %-48s wall median %5.0f ms (min %5.0f, max %5.0f)   CPU median %5.0f ms%n",
                    k.label, Stats.median(w), Stats.percentile(w, 0), Stats.percentile(w, 100), Stats.median(c));
        }
        // Kinds of one round ran back to back, so their ratio cancels load that changes between rounds.
        double[] roundRatios = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            roundRatios[i] = samples.get(Kind.RELAY).get(i).wallMillis() / samples.get(Kind.SQS).get(i).wallMillis();
        }
        double ratio = wall.get(Kind.RELAY) / wall.get(Kind.SQS);
        double cpuRatio = cpu.get(Kind.RELAY) / cpu.get(Kind.SQS);
        // CPU time splits the cost; wall-time differences of a few tens of ms drown in load noise. Relay.create()
        // no longer builds a LambdaClient, so the relay's extra cost over the bare send is the relay itself; the
        // diagnostic shows what building a LambdaClient at start would add, as Relay.create() used to.
        double relayShare = cpu.get(Kind.RELAY) - cpu.get(Kind.SQS);
        double lambdaShare = cpu.get(Kind.SQS_AND_LAMBDA) - cpu.get(Kind.SQS);
        out.printf(Locale.ROOT, "  ratio of wall medians %.3f (median of per-round ratios %.3f), of CPU medians %.3f; "
                + "all %d messages arrived%n", ratio, Stats.median(roundRatios), cpuRatio, expected);
        out.printf(Locale.ROOT, "  CPU time over the bare send: the relay %+.0f ms; building a LambdaClient as well "
                + "(which Relay.create() no longer does) %+.0f ms%n", relayShare, lambdaShare);

        // Wall time is the figure the issue names, but on a shared machine it swings with other load;
        // CPU time is steady and is what a function with one vCPU or less waits for. Both rows carry
        // the target; it is met only when both pass, so load noise alone cannot produce a PASS.
        table.add("4 cold start", "first relayPass / first sendMessage, fresh JVM, ratio of wall-time medians",
                String.format(Locale.ROOT, "%.3f (%.0f ms / %.0f ms)", ratio, wall.get(Kind.RELAY), wall.get(Kind.SQS)),
                String.format(Locale.ROOT, "<= %.2f", MAX_WALL_RATIO), Verdict.of(ratio <= MAX_WALL_RATIO));
        table.add("4 cold start", "same, ratio of CPU-time medians",
                String.format(Locale.ROOT, "%.3f (%.0f ms / %.0f ms)", cpuRatio, cpu.get(Kind.RELAY), cpu.get(Kind.SQS)),
                String.format(Locale.ROOT, "<= %.2f", MAX_CPU_RATIO), Verdict.of(cpuRatio <= MAX_CPU_RATIO));
        table.add("4 cold start", "same, median of per-round wall-time ratios",
                String.format(Locale.ROOT, "%.3f", Stats.median(roundRatios)), "-", Verdict.INFO);
        table.add("4 cold start", "CPU time over the bare send: the relay / a LambdaClient (no longer built at start)",
                String.format(Locale.ROOT, "%+.0f ms / %+.0f ms", relayShare, lambdaShare), "-", Verdict.INFO);
    }

    /** One child's times to its first message: wall time seen by the parent, CPU time reported by the child. */
    record Sample(double wallMillis, double cpuMillis) {
    }

    /** Environment of a Lambda function pointed at the embedded queue, and nothing from the user's AWS setup. */
    private static Map<String, String> childEnvironment(SqsServer sqs, Path scratch) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_REGION", SqsServer.REGION);
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString());
        env.put("AWS_CONFIG_FILE", scratch.resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", scratch.resolve("no-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /** Starts a child and measures the time from start to its report line. */
    private static Sample spawn(Kind kind, String classpath, List<String> args, Map<String, String> env, Path scratch)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classpath);
        command.add(kind.main.getName());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path stderr = scratch.resolve("stderr.txt");
        pb.redirectError(stderr.toFile());

        long start = System.nanoTime();
        Process p = pb.start();
        long sentAt = -1;
        long cpuMillis = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (sentAt < 0 && line.startsWith(ColdStartReport.PREFIX)) {
                    sentAt = System.nanoTime();
                    cpuMillis = ColdStartReport.cpuMillis(line);
                }
            }
        }
        if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(kind.main.getSimpleName() + " did not exit within "
                    + CHILD_TIMEOUT_SECONDS + " s");
        }
        if (p.exitValue() != 0 || sentAt < 0) {
            throw new IllegalStateException(kind.main.getSimpleName() + " failed with exit code " + p.exitValue()
                    + ":\n" + Files.readString(stderr));
        }
        return new Sample((sentAt - start) / 1e6, cpuMillis);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
