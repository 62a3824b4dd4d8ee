package io.lambdarelay;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one invocation of a {@link RelayWorker} did, as a {@link RelayMetricsListener} receives it:
 * counts and durations only, never packet contents. A figure the worker cannot know is empty.
 *
 * @param time when the invocation ended (or handed its records on at its deadline), by the relay's
 *     clock
 * @param functionName the worker function, from the invocation's context; {@code "unknown"} without
 *     a context
 * @param records the records of the event
 * @param failedRecords the records reported as batch item failures
 * @param unitsCompleted units whose progress was kept: passed on or finished (a failed record's
 *     units run again and are not counted; nor is a unit the deadline hand-off cut short)
 * @param hopLatencyMillis the longest wait of the invocation's packets, from when SQS accepted the
 *     message ({@code SentTimestamp}) to the start of its hop; it includes a delay the sender asked
 *     for and, for a redelivered message, its visibility timeout. Packets the relay itself delayed
 *     (a throttle back-off, a delay over 15 minutes, the drain watchdog) are left out; empty when no
 *     packet was measured
 * @param budgetUsedMillis how long the invocation ran, by its context's remaining time (by the
 *     relay's clock without a context)
 * @param budgetUsedShare {@code budgetUsedMillis} as a share (0 to 1) of the time the invocation
 *     had when the handler started; empty without a context
 * @param timeLeftAtHandOffMillis the invocation's remaining time just after it last passed a packet
 *     on after work (the budget's end, a throttle, a deadline hand-off); empty if it passed none or
 *     has no context
 * @param deadlineHandOffs 1 if the deadline hand-off passed the records on, else 0
 * @param throttles units that threw {@link RelayThrottledException}
 */
public record RelayMetrics(Instant time, String functionName, int records, int failedRecords, long unitsCompleted,
        OptionalLong hopLatencyMillis, long budgetUsedMillis, OptionalDouble budgetUsedShare,
        OptionalLong timeLeftAtHandOffMillis, int deadlineHandOffs, int throttles) {

    /**
     * Checks the figures.
     *
     * @param time when the invocation ended
     * @param functionName the worker function
     * @param records records in the batch
     * @param failedRecords records reported as failed
     * @param unitsCompleted units completed and kept
     * @param hopLatencyMillis the longest wait of the batch's packets, if known
     * @param budgetUsedMillis time the handler used
     * @param budgetUsedShare that time as a share of the time it started with, if known
     * @param timeLeftAtHandOffMillis time left after the last pass, if the invocation passed
     * @param deadlineHandOffs deadline hand-offs
     * @param throttles throttled units
     * @throws NullPointerException if an object figure is {@code null}
     * @throws IllegalArgumentException naming a count or duration that is negative
     */
    public RelayMetrics {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(hopLatencyMillis, "hopLatencyMillis");
        Objects.requireNonNull(budgetUsedShare, "budgetUsedShare");
        Objects.requireNonNull(timeLeftAtHandOffMillis, "timeLeftAtHandOffMillis");
        notNegative("records", records);
        notNegative("failedRecords", failedRecords);
        notNegative("unitsCompleted", unitsCompleted);
        notNegative("hopLatencyMillis", hopLatencyMillis.orElse(0));
        notNegative("budgetUsedMillis", budgetUsedMillis);
        notNegative("timeLeftAtHandOffMillis", timeLeftAtHandOffMillis.orElse(0));
        notNegative("deadlineHandOffs", deadlineHandOffs);
        notNegative("throttles", throttles);
        if (budgetUsedShare.isPresent() && !(budgetUsedShare.getAsDouble() >= 0)) {
            throw new IllegalArgumentException("budgetUsedShare must be 0 or more, got "
                    + budgetUsedShare.getAsDouble());
        }
    }

    private static void notNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }
}
