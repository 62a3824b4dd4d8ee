package io.lambdarelay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shares of adaptive rate limits found in this execution environment, per relay: parts that
 * take turns on a worker start from what the parts before them found, instead of from scratch. A
 * share doubles each second until its first throttle (slow start), then grows by 10% a second,
 * and shrinks by 30% on a throttle, at most once per {@link #DECREASE_GAP_MICROS} so that a burst
 * of throttles answered to calls already made counts once. Lives as long as its {@link Relay}.
 * Thread-safe.
 */
final class AdaptiveRates {
    /** After a throttle, the share is multiplied by this. */
    static final double DECREASE = 0.7;
    /** The first throttle ends the slow start and multiplies the share by this. */
    static final double SLOW_START_DECREASE = 0.5;
    /** Growth per second after the first throttle. */
    static final double GROWTH = 1.1;
    /** Growth per second before the first throttle. */
    static final double SLOW_START_GROWTH = 2.0;
    /** Throttles closer together than this decrease the share once. */
    static final long DECREASE_GAP_MICROS = 100_000;
    /** Relays remembered at most; the oldest is dropped. */
    private static final int MAX_RELAYS = 64;

    private final Map<String, Share> shares = new ConcurrentHashMap<>();

    /** One relay's share: units per second for one part, and whether a throttle was seen. */
    private static final class Share {
        double rate;
        boolean found;
        long grownAt;
        long decreasedAt;

        Share(double rate, boolean found, long now) {
            this.rate = rate;
            this.found = found;
            this.grownAt = now;
            this.decreasedAt = Long.MIN_VALUE / 2;
        }
    }

    /**
     * The relay's share here, or a new one from the packet's (or the start share) if none yet.
     *
     * @return units per second for one part
     */
    double share(String relayId, double fromPacket, boolean foundInPacket, long nowMicros) {
        if (shares.size() > MAX_RELAYS && !shares.containsKey(relayId)) {
            shares.clear();
        }
        Share s = shares.computeIfAbsent(relayId, id -> new Share(fromPacket, foundInPacket, nowMicros));
        synchronized (s) {
            return s.rate;
        }
    }

    /** Whether the relay's share has seen a throttle. */
    boolean found(String relayId) {
        Share s = shares.get(relayId);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.found;
        }
    }

    /** A unit succeeded: the share grows for the time since it last grew. Returns the share. */
    double succeeded(String relayId, long nowMicros) {
        Share s = shares.get(relayId);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            long elapsed = nowMicros - s.grownAt;
            if (elapsed >= 100_000) {
                s.rate *= Math.pow(s.found ? GROWTH : SLOW_START_GROWTH, elapsed / 1e6);
                s.grownAt = nowMicros;
            }
            return s.rate;
        }
    }

    /** A unit was throttled: the share shrinks, once per burst of throttles. Returns the share. */
    double throttled(String relayId, long nowMicros) {
        Share s = shares.get(relayId);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            if (!s.found) {
                s.rate *= SLOW_START_DECREASE;
                s.decreasedAt = nowMicros;
            } else if (nowMicros - s.decreasedAt >= DECREASE_GAP_MICROS) {
                s.rate *= DECREASE;
                s.decreasedAt = nowMicros;
            }
            s.found = true;
            s.grownAt = nowMicros;
            return s.rate;
        }
    }
}
