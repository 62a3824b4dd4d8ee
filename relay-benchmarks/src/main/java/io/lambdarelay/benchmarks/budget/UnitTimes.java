package io.lambdarelay.benchmarks.budget;

import java.util.Random;

/** The unit-time distributions of the simulation, all with a typical unit of about 100 ms. */
public enum UnitTimes {
    /** Every unit takes 100 ms. */
    CONSTANT("constant 100 ms") {
        @Override
        long draw(Random random) {
            return 100;
        }
    },
    /** Uniform over 50 to 150 ms, whole milliseconds. */
    UNIFORM("uniform 50-150 ms") {
        @Override
        long draw(Random random) {
            return 50 + random.nextInt(101);
        }
    },
    /** Lognormal with median 100 ms and sigma 1: mostly short, with a long tail (p99.9 is about 2.2 s). */
    LOGNORMAL("lognormal median 100 ms, sigma 1") {
        @Override
        long draw(Random random) {
            return Math.max(1, Math.round(100 * Math.exp(random.nextGaussian())));
        }
    },
    /** 95% of units take 50 ms, 5% take 2 s (a page that hits a slow path). */
    BIMODAL("bimodal 95% 50 ms, 5% 2 s") {
        @Override
        long draw(Random random) {
            return random.nextDouble() < 0.05 ? 2_000 : 50;
        }
    };

    private final String label;

    UnitTimes(String label) {
        this.label = label;
    }

    /** Returns a human-readable name for tables. */
    public String label() {
        return label;
    }

    /** Returns whether this distribution has a heavy tail (its utilisation target is lower). */
    public boolean heavyTailed() {
        return this == LOGNORMAL || this == BIMODAL;
    }

    abstract long draw(Random random);

    /**
     * Returns an endless source of unit times drawn from this distribution.
     *
     * @param random the random generator; seed it for reproducible runs
     * @return the source
     */
    public UnitSource source(Random random) {
        return () -> draw(random);
    }
}
