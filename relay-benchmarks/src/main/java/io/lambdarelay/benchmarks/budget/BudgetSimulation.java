package io.lambdarelay.benchmarks.budget;

import io.lambdarelay.UnitTooLongException;

/**
 * Runs simulated invocations of one budget under a stop rule.
 *
 * <p>The model: an invocation has {@code budgetMillis}; before each unit the rule decides whether to
 * start it; a started unit that would end past the budget less the hand-off time is a timeout (the
 * invocation could not hand off in time: the unit's work is lost, and the invocation ends). Utilisation is the time spent in
 * completed units over the total budget. Chains of invocations are sequential, so a carried hint
 * flows from each invocation to the next. An invocation that times out passes nothing on: SQS
 * redelivers the packet it started from, so the next invocation starts from the same hint.
 */
public final class BudgetSimulation {
    private final long budgetMillis;
    private final long handOffMillis;

    /**
     * Creates a simulation whose hand-off takes no time.
     *
     * @param budgetMillis each invocation's timeout
     */
    public BudgetSimulation(long budgetMillis) {
        this(budgetMillis, 0);
    }

    /**
     * Creates a simulation.
     *
     * @param budgetMillis each invocation's timeout
     * @param handOffMillis what the hand-off after the last unit takes: a unit must end this long
     *     before the timeout
     */
    public BudgetSimulation(long budgetMillis, long handOffMillis) {
        if (budgetMillis <= 0) {
            throw new IllegalArgumentException("budgetMillis must be positive, got " + budgetMillis);
        }
        if (handOffMillis < 0 || handOffMillis >= budgetMillis) {
            throw new IllegalArgumentException("handOffMillis must be from 0 to below the budget, got " + handOffMillis);
        }
        this.budgetMillis = budgetMillis;
        this.handOffMillis = handOffMillis;
    }

    /** A unit source that can show its next unit before it runs, to an oracle; the stream is the same for every rule. */
    static final class Peekable implements UnitSource {
        private final UnitSource source;
        private long next = -1;

        private Peekable(UnitSource source) {
            this.source = source;
        }

        static Peekable of(UnitSource source) {
            return source instanceof Peekable p ? p : new Peekable(source);
        }

        long peek() {
            if (next < 0) {
                next = source.nextMillis();
            }
            return next;
        }

        @Override
        public long nextMillis() {
            long n = peek();
            next = -1;
            return n;
        }
    }

    /**
     * Runs one invocation.
     *
     * @param rule the stop rule
     * @param units the unit times
     * @param hintMillis the hint carried from the previous invocation, 0 for none
     * @return what the invocation completed
     */
    public Invocation invoke(StopRule rule, UnitSource source, long hintMillis) {
        Peekable units = Peekable.of(source);
        SimulatedClock clock = new SimulatedClock(budgetMillis);
        StopRule.Session session = rule.start(clock, hintMillis);
        long completed = 0;
        int count = 0;
        boolean timedOut = false;
        boolean gaveUp = false;
        while (true) {
            boolean another;
            try {
                another = session.startAnother(units.peek());
            } catch (UnitTooLongException e) {
                // The budget refuses to relay work that can never fit; the chain would stop here.
                gaveUp = true;
                break;
            }
            if (!another) {
                break;
            }
            long unit = units.nextMillis();
            if (unit > clock.remaining() - handOffMillis) {
                timedOut = true;
                break;
            }
            session.run(unit);
            completed += unit;
            count++;
        }
        return new Invocation(completed, count, timedOut, gaveUp, session.hintForNext());
    }

    /**
     * Runs a chain of invocations, each starting from the hint the previous one left (or, after a
     * timeout, from the hint the timed-out one started from: its packet is redelivered unchanged).
     *
     * @param rule the stop rule
     * @param units the unit times, shared by the whole chain
     * @param invocations how many invocations
     * @return the totals
     */
    public Totals run(StopRule rule, UnitSource source, int invocations) {
        Peekable units = Peekable.of(source);
        long completed = 0;
        long unitCount = 0;
        int timeouts = 0;
        int gaveUp = 0;
        long hint = 0;
        for (int i = 0; i < invocations; i++) {
            Invocation inv = invoke(rule, units, hint);
            completed += inv.completedMillis();
            unitCount += inv.units();
            timeouts += inv.timedOut() ? 1 : 0;
            gaveUp += inv.gaveUp() ? 1 : 0;
            hint = nextHint(hint, inv);
        }
        return new Totals(invocations, budgetMillis, completed, unitCount, timeouts, gaveUp);
    }

    /**
     * Returns the hint the next invocation of a chain starts from.
     *
     * @param incoming the hint the invocation started from
     * @param inv the invocation's outcome
     * @return its own hint if it passed the packet on; the incoming one if it timed out, since SQS
     *     then redelivers the packet as it was
     */
    static long nextHint(long incoming, Invocation inv) {
        return inv.timedOut() ? incoming : inv.hintForNext();
    }

    /**
     * One invocation's outcome.
     *
     * @param completedMillis time spent in units that completed
     * @param units how many units completed
     * @param timedOut whether the invocation ended by a timeout
     * @param gaveUp whether the budget refused to start because one unit cannot fit an invocation
     * @param hintForNext the hint for the next invocation
     */
    public record Invocation(long completedMillis, int units, boolean timedOut, boolean gaveUp, long hintForNext) {
        /**
         * Returns the share of the budget spent in completed units.
         *
         * @param budgetMillis the invocation's budget
         * @return 0 to 1
         */
        public double utilisation(long budgetMillis) {
            return (double) completedMillis / budgetMillis;
        }
    }

    /**
     * A chain's totals.
     *
     * @param invocations how many invocations ran
     * @param budgetMillis each invocation's budget
     * @param completedMillis time spent in completed units, all invocations
     * @param units completed units, all invocations
     * @param timeouts invocations that timed out
     * @param gaveUp invocations where the budget refused to start a unit that cannot fit
     */
    public record Totals(int invocations, long budgetMillis, long completedMillis, long units, int timeouts,
            int gaveUp) {
        /**
         * Returns the share of all budgets spent in completed units.
         *
         * @return 0 to 1
         */
        public double utilisation() {
            return (double) completedMillis / ((double) budgetMillis * invocations);
        }

        /**
         * Returns the share of invocations that timed out.
         *
         * @return 0 to 1
         */
        public double timeoutRate() {
            return (double) timeouts / invocations;
        }
    }
}
