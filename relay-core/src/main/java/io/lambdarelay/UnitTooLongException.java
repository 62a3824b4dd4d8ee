package io.lambdarelay;

/**
 * Thrown by {@link TimeBudget#hasTimeForAnother()} when the expected time of one unit of work is
 * longer than a whole fresh invocation can give: relaying would go on forever without progress.
 * Split the work into smaller units or raise the worker's timeout.
 */
public class UnitTooLongException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The unitMillis, see its getter. */
    private final long unitMillis;
    /** The budgetMillis, see its getter. */
    private final long budgetMillis;

    /**
     * Creates the exception.
     *
     * @param unitMillis the expected unit time (longest seen, times the safety factor)
     * @param budgetMillis the usable time of a whole invocation
     */
    public UnitTooLongException(long unitMillis, long budgetMillis) {
        super("one unit of work is expected to take " + unitMillis + " ms but an invocation has only "
                + budgetMillis + " ms to spend; split the work into smaller units or raise the worker's timeout");
        this.unitMillis = unitMillis;
        this.budgetMillis = budgetMillis;
    }

    /**
     * Returns the expected time of one unit.
     *
     * @return milliseconds
     */
    public long unitMillis() {
        return unitMillis;
    }

    /**
     * Returns the usable time of a whole invocation.
     *
     * @return milliseconds
     */
    public long budgetMillis() {
        return budgetMillis;
    }
}
