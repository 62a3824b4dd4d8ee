package io.lambdarelay.local.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that runs at the rate of the system clock and can be moved forward: the time a
 * {@code LocalAws} with virtual time dates everything by. Only ever moves forward. Thread-safe.
 */
public final class VirtualClock extends Clock {

    private final AtomicLong offsetMillis = new AtomicLong();

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a LocalAws virtual clock is in UTC only; use Clock.offset or "
                + "ZonedDateTime.ofInstant(clock.instant(), zone) for local times");
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    /** {@return how far this clock is ahead of the system clock} */
    public Duration skipped() {
        return Duration.ofMillis(offsetMillis.get());
    }

    /**
     * Moves the clock forward to {@code epochMillis}; does nothing if it is already there.
     *
     * @param epochMillis the time to move to
     * @return how far it moved, zero or more milliseconds
     */
    public long advanceTo(long epochMillis) {
        while (true) {
            long offset = offsetMillis.get();
            long ahead = epochMillis - (System.currentTimeMillis() + offset);
            if (ahead <= 0) {
                return 0;
            }
            if (offsetMillis.compareAndSet(offset, offset + ahead)) {
                return ahead;
            }
        }
    }

    /**
     * Moves the clock forward.
     *
     * @param amount how far, zero or more
     */
    public void advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a virtual clock only moves forward; got " + amount);
        }
        offsetMillis.addAndGet(amount.toMillis());
    }

    @Override
    public String toString() {
        return "VirtualClock[" + instant() + ", " + skipped() + " ahead]";
    }
}
