package io.lambdarelay.benchmarks.budget;

/** Supplies the duration of each unit of work, in the order the units run. */
@FunctionalInterface
public interface UnitSource {
    /**
     * Returns how long the next unit takes.
     *
     * @return milliseconds, at least 0
     */
    long nextMillis();
}
