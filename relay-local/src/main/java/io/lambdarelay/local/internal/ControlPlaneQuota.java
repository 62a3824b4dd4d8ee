package io.lambdarelay.local.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lambda's control-plane request quota, as a token bucket: {@code rate} requests a second, with a
 * burst of as many; every Lambda API request but Invoke counts, as on AWS (about 15 a second per
 * account and Region, shared, not adjustable). Counts what it let through and what it refused.
 * Runs on the wall clock. Thread-safe.
 */
public final class ControlPlaneQuota {
    private final double rate;
    private double tokens;
    private long refilledAt;
    private final AtomicLong allowed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /**
     * A quota of {@code rate} requests a second; 0 or less counts without refusing.
     *
     * @param rate requests a second
     */
    public ControlPlaneQuota(double rate) {
        this.rate = rate;
        this.tokens = rate;
        this.refilledAt = System.nanoTime();
    }

    /** Takes a request: {@code true} if the quota allows it now. */
    boolean take() {
        if (rate <= 0) {
            allowed.incrementAndGet();
            return true;
        }
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(rate, tokens + (now - refilledAt) / 1e9 * rate);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                allowed.incrementAndGet();
                return true;
            }
        }
        refused.incrementAndGet();
        return false;
    }

    /** {@return control-plane requests let through} */
    public long allowed() {
        return allowed.get();
    }

    /** {@return control-plane requests refused with {@code TooManyRequestsException}} */
    public long refused() {
        return refused.get();
    }
}
