package io.lambdarelay.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Describes the machine a run happened on, so a table is never read without its context. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return String.format(Locale.ROOT, "cpus %d, memory %s, JDK %s (%s), OS %s %s (%s)",
                Runtime.getRuntime().availableProcessors(), memory(), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.version"),
                distribution());
    }

    /**
     * Returns the 1, 5 and 15 minute load averages: other work on the machine widens the spread
     * of every timing, so a run reports it at its start and end.
     */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String memory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        return "unknown";
    }

    private static String distribution() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (Exception e) {
            // Not Linux, or no os-release: the kernel name and version above are enough.
        }
        return "distribution unknown";
    }
}
