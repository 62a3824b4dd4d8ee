package io.lambdarelay;

import java.time.Clock;
import java.time.Instant;

/**
 * Paces one part's units at its share of the relay's rate, on an absolute schedule: each unit is
 * due one interval after the previous unit was due, not after it started. A unit that starts late
 * (a sleep that overslept, a slow call, the hand-off between two invocations) does not push every
 * later unit back; the part catches up, by at most {@link #CATCH_UP_MICROS} of its schedule at
 * once. The schedule travels in the packet ({@code paceAt}), so it goes on across hand-offs. With
 * {@link Policy#adaptive()}, the share itself is found ({@link AdaptiveRates}): it grows while
 * units succeed and shrinks on throttles, and it travels in the packet too, for a part that lands
 * on a fresh worker. Not thread-safe: one per record's hop.
 */
final class Pacer {
    private static final Pacer NONE = new Pacer(null, null, null, 0, 0);

    private final Clock clock;
    private final AdaptiveRates rates;
    private final String relayId;
    private double rate;
    private long dueMicros;

    private Pacer(Clock clock, AdaptiveRates rates, String relayId, double rate, long dueMicros) {
        this.clock = clock;
        this.rates = rates;
        this.relayId = relayId;
        this.rate = rate;
        this.dueMicros = dueMicros;
    }

    /** The pacer of a packet's hop: none without a rate limit. */
    static Pacer of(RelayPacket pkt, Clock clock, AdaptiveRates adaptiveRates) {
        Policy p = pkt.policy();
        if (p.rate() <= 0) {
            return NONE;
        }
        HopState s = pkt.hopState();
        long now = micros(clock);
        double start = p.rate() / running(pkt);
        AdaptiveRates rates = p.adaptive() ? adaptiveRates : null;
        double rate = rates == null ? start
                : rates.share(pkt.relayId(), s.partRate() > 0 ? s.partRate() : start, s.rateFound(), now);
        long paceAt = s.paceAt() * 1_000;
        // Due within an interval: go on with the schedule. Behind by more: the part may have waited
        // for a free worker while another used the rate (whose last call may be a moment ago), so it
        // owes nothing and starts one interval from now.
        long interval = intervalMicros(rate);
        boolean resumes = s.paceAt() > 0 && now - paceAt <= interval;
        return new Pacer(clock, rates, pkt.relayId(), rate, resumes ? paceAt : now + interval);
    }

    /** The parts that can run at once, which share the rate. */
    private static long running(RelayPacket pkt) {
        int concurrency = pkt.policy().concurrency();
        return concurrency > 0 ? Math.min(concurrency, pkt.partCount()) : pkt.partCount();
    }

    boolean paced() {
        return clock != null;
    }

    /** {@return how long the next unit must wait, 0 if it is due} */
    long waitMillis() {
        if (!paced()) {
            return 0;
        }
        long ahead = dueMicros - micros(clock);
        return ahead <= 0 ? 0 : (ahead + 999) / 1_000;
    }

    /**
     * A unit starts: the next one is due an interval after this one was due (this one at most an
     * interval late). The packet records when, for the next hop.
     */
    void unitStarts(RelayPacket pkt) {
        if (!paced()) {
            return;
        }
        long interval = intervalMicros();
        dueMicros = Math.max(dueMicros, micros(clock) - interval) + interval;
        record(pkt);
    }

    /** The unit succeeded: an adaptive share grows. */
    void succeeded(RelayPacket pkt) {
        if (rates == null) {
            return;
        }
        rate = rates.succeeded(relayId, micros(clock));
        record(pkt);
    }

    /**
     * The unit was throttled and undone. An adaptive share shrinks and the unit is tried again in
     * this invocation, one new interval on; a fixed share leaves it to the back-off, and the next
     * hop starts its schedule afresh, without catching up.
     *
     * @return whether to try again now (adaptive), rather than hand the packet on with a back-off
     */
    boolean throttled(RelayPacket pkt) {
        if (!paced()) {
            return false;
        }
        if (rates == null) {
            pkt.hopState(pkt.hopState().withPaceAt(0));
            return false;
        }
        long now = micros(clock);
        rate = rates.throttled(relayId, now);
        dueMicros = now + intervalMicros();
        record(pkt);
        return true;
    }

    private long intervalMicros() {
        return intervalMicros(rate);
    }

    private static long intervalMicros(double rate) {
        return (long) Math.ceil(1e6 / rate);
    }

    private void record(RelayPacket pkt) {
        HopState s = pkt.hopState().withPaceAt((dueMicros + 999) / 1_000);
        if (rates != null) {
            s = s.withPartRate(rate, rates.found(relayId));
        }
        pkt.hopState(s);
    }

    private static long micros(Clock clock) {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
