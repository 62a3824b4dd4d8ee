package io.lambdarelay.local.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that moves only when a test tells it to, so time-dependent code is tested without
 * sleeping: pass it to {@link io.lambdarelay.local.LocalContext.Builder#clock}, to
 * {@link io.lambdarelay.local.LocalAws.Builder#clock} or to the library's builders. Always UTC.
 * Thread-safe.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    /**
     * Creates a clock standing at {@code start}.
     *
     * @param start the first instant
     */
    public MutableClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /**
     * Moves the clock forward (or back, with a negative duration).
     *
     * @param d how far
     */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    /**
     * Sets the clock.
     *
     * @param instant the new time
     */
    public void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
