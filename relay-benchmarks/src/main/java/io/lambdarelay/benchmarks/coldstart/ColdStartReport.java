package io.lambdarelay.benchmarks.coldstart;

import java.time.Duration;

/** The line a cold-start child prints once SQS has accepted its message. */
public final class ColdStartReport {
    /** How the line starts. */
    public static final String PREFIX = "sent ";

    private ColdStartReport() {
    }

    /**
     * Returns the line: the message id and the CPU time the JVM has used so far, all threads (JIT and
     * GC included). CPU time barely moves when other work competes for the cores, wall time does.
     *
     * @param messageId the SQS message id
     * @return the line
     */
    public static String sent(String messageId) {
        long cpuMillis = ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
        return PREFIX + messageId + " cpu-ms=" + cpuMillis;
    }

    /**
     * Reads the CPU time from a line.
     *
     * @param line a line from {@link #sent(String)}
     * @return milliseconds, or -1 if the platform does not report it
     */
    public static long cpuMillis(String line) {
        return Long.parseLong(line.substring(line.indexOf("cpu-ms=") + "cpu-ms=".length()).trim());
    }
}
