package io.lambdarelay.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Files the module's build writes next to the runner jar: relay-core's runtime classpath and its
 * dependency tree (maven-dependency-plugin, at prepare-package).
 */
final class BuildOutput {
    private BuildOutput() {
    }

    /** Returns the runner's jar (or classes directory, when run from an IDE). */
    static Path runnerLocation() {
        try {
            return Path.of(RunBenchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the runner's own jar", e);
        }
    }

    /** Returns relay-core's runtime classpath entries: its jar first, then its dependencies. */
    static List<Path> relayCoreClasspath() {
        String text = read("relay-core.classpath").trim();
        return List.of(text.split(File.pathSeparator)).stream().map(Path::of).toList();
    }

    /** Returns the module's test classpath: its test classes and classes, then its test-scope dependencies. */
    static String testClasspath() {
        Path target = runnerLocation().getParent();
        return target.resolve("test-classes") + File.pathSeparator + target.resolve("classes") + File.pathSeparator
                + read("test.classpath").trim();
    }

    /** Returns relay-core's runtime dependency tree as maven-dependency-plugin printed it. */
    static List<String> relayCoreDependencyTree() {
        return List.of(read("relay-core.dependencies").split("\\R"));
    }

    private static String read(String name) {
        Path file = runnerLocation().getParent().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: build the module first with "
                    + "./mvnw -B -q -pl relay-benchmarks -am package -DskipTests");
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
