package io.lambdarelay.benchmarks;

/** Whether a figure met its target. */
public enum Verdict {
    /** The target was met. */
    PASS,
    /** The target was missed. */
    MISS,
    /** A figure without a target, reported for context. */
    INFO,
    /** Not measured in this run; the row says why. */
    NOT_MEASURED;

    /**
     * Returns PASS when the condition holds, MISS otherwise.
     *
     * @param met whether the target was met
     * @return the verdict
     */
    public static Verdict of(boolean met) {
        return met ? PASS : MISS;
    }

    String label() {
        return this == NOT_MEASURED ? "not yet measured" : name();
    }
}
