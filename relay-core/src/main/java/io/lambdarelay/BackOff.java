package io.lambdarelay;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * How a relay's back-offs wait and where their jitter comes from. The jitter is drawn when a
 * back-off is taken, from a seed drawn at that moment: nothing random is made when the relay or a
 * worker is built. A Lambda SnapStart snapshot (or any CRaC checkpoint) restores many execution
 * environments from one heap, so a generator made before it would give every one of them the same
 * jitter, and their retries would stay in step.
 *
 * @param pause waits between tries; tests pass one that does not sleep
 * @param seeds where each draw's seed comes from, at the moment of the draw
 */
record BackOff(Pause pause, LongSupplier seeds) {
    /**
     * Seeds from a new {@link SecureRandom} each, as AWS advises for SnapStart: it reads the
     * operating system's entropy, which differs in every restored environment. An unseeded
     * {@code SplittableRandom} or {@code ThreadLocalRandom} derives its seed from a generator the
     * JVM set up at start-up, which the snapshot holds, so restored environments draw alike.
     */
    static final LongSupplier SECURE_SEEDS = () -> new SecureRandom().nextLong();

    /** Waits between tries. */
    interface Pause {
        void pause(long millis) throws InterruptedException;
    }

    /**
     * A back-off of {@code millis} with jitter: uniform from half of it to all of it, from a seed
     * drawn now.
     */
    long jittered(long millis) {
        return millis / 2 + new SplittableRandom(seeds.getAsLong()).nextLong(millis / 2 + 1);
    }
}
