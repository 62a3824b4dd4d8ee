package io.lambdarelay.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Locale;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link HundredHopRelayTest} in this (fresh) JVM through the JUnit Platform, as a build tool
 * or an IDE does, and prints one line: {@code USERTEST <ms> <tests succeeded> <tests failed>}, the
 * time from the launcher's start to its end (discovery, the extension's LocalAws start, the test,
 * LocalAws's close).
 */
public final class UserTestTiming {
    /** The report line's prefix. */
    public static final String PREFIX = "USERTEST ";

    private UserTestTiming() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        Launcher launcher = LauncherFactory.create();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(HundredHopRelayTest.class)).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        long millis = (System.nanoTime() - start) / 1_000_000;
        TestExecutionSummary s = summary.getSummary();
        s.getFailures().forEach(f -> f.getException().printStackTrace());
        System.out.println(String.format(Locale.ROOT, "%s%d %d %d", PREFIX, millis, s.getTestsSucceededCount(),
                s.getTestsFailedCount() + s.getTestsAbortedCount()));
    }
}
