package io.lambdarelay.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Part 4, footprint: the size of relay-core's jar and what it pulls in at runtime, read from the
 * dependency tree the build resolved (so the figures are those of this exact build).
 */
final class FootprintBenchmark {
    static final long MAX_JAR_BYTES = 150 * 1024;
    /** The runtime dependencies the README names; everything else must come in through one of them. */
    static final Set<String> NAMED = Set.of(
            "software.amazon.awssdk:sqs", "software.amazon.awssdk:lambda", "software.amazon.awssdk:url-connection-client",
            "com.fasterxml.jackson.core:jackson-databind", "com.fasterxml.jackson.datatype:jackson-datatype-jsr310",
            "org.slf4j:slf4j-api",
            "com.amazonaws:aws-lambda-java-core", "com.amazonaws:aws-lambda-java-events");
    /** HTTP clients the library must not drag in (it uses url-connection-client), logging bindings, and joda-time. */
    static final Set<String> FORBIDDEN = Set.of(
            "software.amazon.awssdk:apache-client", "software.amazon.awssdk:apache5-client",
            "software.amazon.awssdk:netty-nio-client",
            "org.slf4j:slf4j-simple", "ch.qos.logback:logback-classic", "org.apache.logging.log4j:log4j-slf4j2-impl",
            "joda-time:joda-time");

    private FootprintBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) throws IOException {
        List<Path> classpath = BuildOutput.relayCoreClasspath();
        Path jar = classpath.stream().filter(p -> p.getFileName().toString().startsWith("relay-core-"))
                .findFirst().orElseThrow(() -> new IllegalStateException("relay-core is not on " + classpath));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is not a jar: build with 'package', not 'compile'");
        }
        long jarBytes = Files.size(jar);
        long allBytes = 0;
        for (Path p : classpath) {
            allBytes += Files.size(p);
        }

        List<Node> deps = relayCoreSubtree(BuildOutput.relayCoreDependencyTree());
        if (deps.size() + 1 != classpath.size()) {
            throw new IllegalStateException("the dependency tree names " + deps.size() + " dependencies of relay-core "
                    + "but its runtime classpath has " + (classpath.size() - 1) + " jars besides relay-core's own; "
                    + "the tree parser is out of step with the build");
        }
        Set<String> direct = new TreeSet<>();
        Set<String> sdkModules = new TreeSet<>();
        Map<String, String> otherTransitive = new LinkedHashMap<>();
        Set<String> forbidden = new TreeSet<>();
        for (Node n : deps) {
            if (FORBIDDEN.contains(n.ga())) {
                forbidden.add(n.ga());
            }
            if (n.depth() == 2) {
                direct.add(n.ga());
            } else if (n.ga().startsWith("software.amazon.awssdk:") || n.ga().startsWith("software.amazon.eventstream:")) {
                sdkModules.add(n.ga().substring(n.ga().indexOf(':') + 1));
            } else {
                otherTransitive.put(n.ga(), n.via());
            }
        }
        Set<String> unnamed = new TreeSet<>(direct);
        unnamed.removeAll(NAMED);

        out.printf(Locale.ROOT, "  %s: %,d bytes (%.1f KiB)%n", jar.getFileName(), jarBytes, jarBytes / 1024.0);
        out.printf(Locale.ROOT, "  runtime classpath: %d jars, %,d bytes (%.1f MiB) with relay-core%n", classpath.size(),
                allBytes, allBytes / (1024.0 * 1024));
        out.println("  direct runtime dependencies: " + String.join(", ", direct));
        out.println("  SDK modules they bring: " + String.join(", ", sdkModules));
        otherTransitive.forEach((ga, via) -> out.println("  other transitive: " + ga + " (via " + via + ")"));
        out.println("  dependency tree:");
        for (Node n : deps) {
            out.println("    " + "  ".repeat(n.depth() - 2) + n.coordinates());
        }

        table.add("4 footprint", "relay-core jar size",
                String.format(Locale.ROOT, "%.1f KiB (%,d bytes)", jarBytes / 1024.0, jarBytes), "<= 150 KiB",
                Verdict.of(jarBytes <= MAX_JAR_BYTES));
        List<String> problems = new ArrayList<>();
        if (!unnamed.isEmpty()) {
            problems.add("not in README: " + unnamed);
        }
        if (!forbidden.isEmpty()) {
            problems.add("forbidden: " + forbidden);
        }
        String others = otherTransitive.entrySet().stream().map(e -> shortName(e.getKey()) + " via " + shortName(e.getValue()))
                .reduce((a, b) -> a + ", " + b).orElse("none");
        table.add("4 footprint", "relay-core runtime dependencies",
                problems.isEmpty() ? String.format(Locale.ROOT, "the %d the README names; + %d SDK modules; + %s",
                        direct.size(), sdkModules.size(), others) : String.join("; ", problems),
                "only the README's", Verdict.of(problems.isEmpty()));
        table.add("4 footprint", "runtime classpath with relay-core",
                String.format(Locale.ROOT, "%d jars, %.1f MiB", classpath.size(), allBytes / (1024.0 * 1024)), "-",
                Verdict.INFO);
    }

    private static String shortName(String ga) {
        return ga.substring(ga.indexOf(':') + 1);
    }

    /**
     * Returns relay-core's dependencies from a tree printed by maven-dependency-plugin, where the
     * root is this module and relay-core is a child of it. A verbose tree repeats a dependency
     * wherever it is reachable, in parentheses; the shallowest place it appears is kept.
     */
    static List<Node> relayCoreSubtree(List<String> treeLines) {
        List<Node> out = new ArrayList<>();
        boolean inside = false;
        String via = null;
        Map<String, Node> shallowest = new LinkedHashMap<>();
        for (String line : treeLines) {
            if (line.isBlank()) {
                continue;
            }
            int prefix = 0;
            while (prefix < line.length() && "|+\\- ".indexOf(line.charAt(prefix)) >= 0) {
                prefix++;
            }
            int depth = prefix / 3;
            String coordinates = line.substring(prefix).trim();
            if (coordinates.startsWith("(")) {
                int end = coordinates.indexOf(" - ");
                coordinates = coordinates.substring(1, end > 0 ? end : coordinates.length() - 1);
            }
            int note = coordinates.indexOf(" (");
            if (note > 0) {
                coordinates = coordinates.substring(0, note);
            }
            String[] parts = coordinates.split(":");
            String ga = parts[0] + ":" + (parts.length > 1 ? parts[1] : "");
            if (depth == 1) {
                inside = ga.equals("io.lambdarelay:relay-core");
                continue;
            }
            if (inside && depth >= 2) {
                if (depth == 2) {
                    via = ga;
                }
                Node node = new Node(depth, ga, coordinates, via);
                out.add(node);
                shallowest.merge(ga, node, (a, b) -> b.depth() < a.depth() ? b : a);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("relay-core has no dependencies in the tree; is it a dependency of this module?");
        }
        // In tree order, each dependency once.
        return out.stream().filter(n -> shallowest.get(n.ga()) == n).toList();
    }

    /**
     * One dependency of the tree.
     *
     * @param depth 2 for relay-core's direct dependencies, more for transitive ones
     * @param ga groupId:artifactId
     * @param coordinates as printed, with type, version and scope
     * @param via the direct dependency it comes through
     */
    record Node(int depth, String ga, String coordinates, String via) {
    }
}
