package io.lambdarelay;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a hand-off costs in this execution environment, from the passes measured here: the reserve
 * a worker's budget keeps for it. A slow pass raises the reserve at once; it then decays by an
 * eighth per pass, so one slow call is forgotten after a few dozen fast ones. Lives as long as its
 * {@link Relay} (on Lambda, the execution environment). Thread-safe.
 */
final class HandOffCost {
    /**
     * The reserve is this many times the slowest recent pass: the deadline hand-off comes at half
     * the reserve and is a pass and a delete.
     */
    static final int FACTOR = 4;
    /** The most the reserve grows to, however slow the passes. */
    static final Duration CEILING = Duration.ofSeconds(2);

    private final AtomicLong recentMaxNanos = new AtomicLong();

    /** Records one pass's duration. */
    void record(long nanos) {
        long n = Math.max(0, nanos);
        recentMaxNanos.getAndUpdate(old -> Math.max(n, old - old / 8));
    }

    /**
     * The reserve for a budget: {@link #FACTOR} times the slowest recent pass, at least
     * {@link TimeBudget#DEFAULT_RESERVE}, at most {@link #CEILING}.
     */
    Duration reserve() {
        long ms = FACTOR * recentMaxNanos.get() / 1_000_000L;
        return Duration.ofMillis(Math.max(TimeBudget.DEFAULT_RESERVE.toMillis(), Math.min(CEILING.toMillis(), ms)));
    }
}
