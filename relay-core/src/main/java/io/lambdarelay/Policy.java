package io.lambdarelay;

/**
 * The relay's rules, set once by {@link RelaySetup} and carried in every packet so that any worker
 * can apply them. A zero means "no limit" (or, for {@code rate} and {@code concurrency}, "none
 * set").
 *
 * @param maxHops past this hop the relay is ended
 * @param maxIdleHops hops in a row without a completed unit before the relay is ended
 * @param maxReceive the redrive policy's receive count: the attempt at it is the last
 * @param toleratedFailures parts that may fail before a fan-out fails
 * @param rate units per second across the relay
 * @param concurrency the mapping's maximum concurrency
 * @param adaptive whether {@code rate} is only where to start, the real limit being found from throttles
 * @param endsWhenDeadLettered whether a dead-lettered chain, or too many dead-lettered parts, end
 *     the relay instead of parking it ({@link RelaySetup#parkWhenDeadLettered()} off)
 * @param pooled whether the relay runs in a pool: a queue and mapping shared with other relays of
 *     its worker ({@link RelaySetup#pooled()}), so it is paused, parked and ended in the ledger, not
 *     by its resources
 */
record Policy(long maxHops, long maxIdleHops, long maxReceive, long toleratedFailures, double rate, int concurrency,
        boolean adaptive, boolean endsWhenDeadLettered, boolean pooled) {

    /** No rules: a packet the Node package started. */
    static final Policy NONE = new Policy(0, 0, 0, 0, 0, 0, false, false, false);

    /** The policy the setup options ask for. */
    static Policy of(RelaySetup options) {
        return new Policy(options.maxHops(), options.maxIdleHops(), options.maxReceiveCount(),
                options.toleratedFailures(), options.rateLimit() == null ? 0 : options.rateLimit(),
                options.maximumConcurrency() == null ? 0 : options.maximumConcurrency(), options.adaptiveRate(),
                !options.parkWhenDeadLettered(), options.pooled());
    }

    /** This policy with another last attempt: a pool's queue may allow fewer receives than asked for. */
    Policy withMaxReceive(long maxReceive) {
        return new Policy(maxHops, maxIdleHops, maxReceive, toleratedFailures, rate, concurrency, adaptive,
                endsWhenDeadLettered, pooled);
    }
}
