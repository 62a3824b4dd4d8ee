package io.lambdarelay.local.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition in an integration test: polls with a deadline, never a fixed sleep. */
public final class Await {
    private static final long FIRST_PAUSE_NANOS = 1_000_000;
    private static final long MAX_PAUSE_NANOS = 25_000_000;

    private Await() {
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait at most
     * @param condition the condition
     * @throws AssertionError if it does not hold within the timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }

    /**
     * Polls {@code condition} until it holds; on timeout the failure message adds {@code state}.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait at most
     * @param condition the condition
     * @param state describes the state seen at the timeout
     * @throws AssertionError if it does not hold within the timeout
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String seen = state.get();
                throw new AssertionError("timed out after " + timeout + " waiting for " + what
                        + (seen.isEmpty() ? "" : ": " + seen));
            }
            LockSupport.parkNanos(pause);
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting for " + what);
            }
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }
}
