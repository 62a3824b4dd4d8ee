package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Decides whether an invocation has time for one more unit of work before it must hand the packet
 * on.
 *
 * <pre>{@code
 * TimeBudget budget = TimeBudget.of(context);
 * while (moreToDo && budget.hasTimeForAnother()) {
 *     moreToDo = budget.measure(() -> processOnePage());
 * }
 * }</pre>
 *
 * <p><b>The rule.</b> Another unit starts only if the remaining time, less a reserve kept for the
 * hand-off itself, covers the time the next unit may take: the upper tail of the unit times seen
 * so far. Once {@link #MIN_TAIL_SAMPLES} units were measured, that is
 * {@code exp(mean + tailSigmas * sd)} of their logarithms (a lognormal fit, default
 * {@value #DEFAULT_TAIL_SIGMAS} standard deviations: about one unit in 4,000 is longer), and never
 * less than the longest unit measured, so a distribution with a rare slow mode is covered too.
 * Before that, the longest unit seen (or the hint) times a safety factor (default 2.0). The
 * original Node package's rule (1.5 times the <em>last</em> unit) forgets a slow unit as soon as a
 * fast one follows, and so times out on uneven unit times. The figures (utilisation and timeouts
 * per distribution, beside the original rule and an oracle) are in docs/benchmarks.md.
 *
 * <p>A hint (the longest unit of the previous invocation, which {@link RelayWorker} carries in
 * the packet) informs the estimate until units of this invocation were measured; the first unit
 * itself always runs, so one slow unit cannot stop a relay. A unit that overruns anyway costs only
 * itself: {@link RelayWorker} hands the packet on at {@link #handOffMillis()} before the end.
 *
 * <p>Times are measured as differences of the remaining-time supplier, so a test drives the whole
 * budget with one fake supplier and never sleeps.
 *
 * <p>Not thread-safe: one budget belongs to one invocation.
 */
public final class TimeBudget {
    /** The default safety factor on the longest unit seen, while too few units were measured for a tail. */
    public static final double DEFAULT_SAFETY_FACTOR = 2.0;
    /** The default margin: standard deviations of the log unit times above their mean. */
    public static final double DEFAULT_TAIL_SIGMAS = 3.5;
    /** Units measured before the margin comes from their distribution instead of the safety factor. */
    public static final int MIN_TAIL_SAMPLES = 10;
    /**
     * The default reserve for the hand-off: 200 ms (a tenth of the invocation if that is less).
     * {@link RelayWorker} sets it from the hand-offs it measured instead, never below this.
     */
    public static final Duration DEFAULT_RESERVE = Duration.ofMillis(200);

    private final LongSupplier remainingMillis;
    private final long reserveMillis;
    private final double safetyFactor;
    private final double tailSigmas;
    private final long initialMillis;
    private final long hintMillis;
    private long longestUnitMillis;
    private long longestMeasuredMillis;
    private int unitsCompleted;
    private long spentMillis;
    // Welford's running mean and sum of squares of ln(unit millis), over measured units.
    private double logMean;
    private double logSquares;

    private TimeBudget(Builder b) {
        this.remainingMillis = b.remainingMillis;
        long initial = b.remainingMillis.getAsLong();
        this.reserveMillis = b.reserve != null ? b.reserve.toMillis()
                : Math.min(DEFAULT_RESERVE.toMillis(), Math.max(0, initial / 10));
        this.safetyFactor = b.safetyFactor;
        this.tailSigmas = b.tailSigmas;
        this.initialMillis = initial;
        this.hintMillis = b.unitHint == null ? 0 : b.unitHint.toMillis();
        this.longestUnitMillis = hintMillis;
    }

    /**
     * A budget over the invocation's remaining time, with the default reserve and safety factor.
     *
     * @param context the Lambda context
     * @return a new budget
     */
    public static TimeBudget of(Context context) {
        Objects.requireNonNull(context, "context");
        return builder().remainingMillis(context::getRemainingTimeInMillis).build();
    }

    /**
     * A budget over any remaining-time source, with the default reserve and safety factor.
     *
     * @param remainingMillis returns the milliseconds left in the invocation
     * @return a new budget
     */
    public static TimeBudget of(LongSupplier remainingMillis) {
        return builder().remainingMillis(remainingMillis).build();
    }

    /**
     * Starts a builder for a budget with a custom reserve, safety factor or hint.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Tells whether one more unit fits: see {@link #hasTimeForAnother(long)} with no wait.
     *
     * @return {@code true} if another unit should start
     * @throws UnitTooLongException if the hint says a single unit takes longer than all the time
     *     the budget started with, reserve included, so relaying would make no progress
     */
    public boolean hasTimeForAnother() {
        return hasTimeForAnother(0);
    }

    /**
     * Tells whether one more unit fits after waiting {@code waitMillis} (for a rate limit's pacing).
     * The first unit of an invocation starts whenever any usable time is left, even if the hint is
     * long: a single slow unit in an earlier invocation must not stop the relay, and a unit that
     * ran as the first of one invocation fits the next (it may use the reserve). After that, the
     * remaining time less the reserve and the wait must cover the longest unit seen (or the hint)
     * times the safety factor.
     *
     * @param waitMillis time that will pass before the unit starts, zero or more
     * @return {@code true} if another unit should start
     * @throws UnitTooLongException if the hint says a single unit takes longer than all the time
     *     the budget started with, reserve included, so relaying would make no progress
     */
    public boolean hasTimeForAnother(long waitMillis) {
        long usable = remainingMillis.getAsLong() - reserveMillis - Math.max(0, waitMillis);
        if (unitsCompleted == 0) {
            if (hintMillis > initialMillis) {
                throw new UnitTooLongException(hintMillis, initialMillis);
            }
            return usable > 0;
        }
        return usable > 0 && usable >= expectedUnitMillis();
    }

    /**
     * Runs one unit and records how long it took.
     *
     * @param unit the unit of work
     */
    public void measure(Runnable unit) {
        Objects.requireNonNull(unit, "unit");
        long before = remainingMillis.getAsLong();
        unit.run();
        record(before - remainingMillis.getAsLong());
    }

    /**
     * Runs one unit that returns a value, such as whether work remains, and records how long it took.
     *
     * @param unit the unit of work
     * @param <T> the unit's result type
     * @return the unit's result
     */
    public <T> T measure(Supplier<T> unit) {
        Objects.requireNonNull(unit, "unit");
        long before = remainingMillis.getAsLong();
        T result = unit.get();
        record(before - remainingMillis.getAsLong());
        return result;
    }

    /**
     * Records a unit measured elsewhere.
     *
     * @param unitMillis how long the unit took; negative values count as 0
     */
    public void record(long unitMillis) {
        long ms = Math.max(0, unitMillis);
        longestUnitMillis = Math.max(longestUnitMillis, ms);
        longestMeasuredMillis = Math.max(longestMeasuredMillis, ms);
        spentMillis += ms;
        unitsCompleted++;
        double x = Math.log(Math.max(1, ms));
        double delta = x - logMean;
        logMean += delta / unitsCompleted;
        logSquares += delta * (x - logMean);
    }

    /**
     * Returns the time the next unit may take, which the remaining time less the reserve must
     * cover: once {@link #MIN_TAIL_SAMPLES} units were measured, the upper tail of their
     * distribution ({@code exp(mean + tailSigmas * sd)} of their logarithms), at least the longest
     * of them; before that, the longest unit seen (or the hint) times the safety factor.
     *
     * @return milliseconds, 0 before any unit is known
     */
    public long expectedUnitMillis() {
        if (unitsCompleted < MIN_TAIL_SAMPLES) {
            return (long) Math.ceil(longestUnitMillis * safetyFactor);
        }
        double sd = Math.sqrt(logSquares / (unitsCompleted - 1));
        double tail = Math.exp(logMean + tailSigmas * sd);
        return Math.max(longestMeasuredMillis, Math.round(Math.min(tail, Long.MAX_VALUE / 2.0)));
    }

    /**
     * Returns the longest unit seen, including the hint; {@link RelayWorker} carries it to the next
     * invocation.
     *
     * @return milliseconds
     */
    public long longestUnitMillis() {
        return longestUnitMillis;
    }

    /**
     * Returns the longest unit this budget measured itself, without the hint. {@link RelayWorker}
     * carries this one forward, so one slow unit informs the next invocation but is forgotten after
     * that instead of slowing the whole chain.
     *
     * @return milliseconds, 0 before any unit
     */
    public long longestMeasuredMillis() {
        return longestMeasuredMillis;
    }

    /** {@return the time left before the reserve} */
    public long usableMillis() {
        return remainingMillis.getAsLong() - reserveMillis;
    }

    /**
     * Returns how long before the end of the invocation {@link RelayWorker} hands the packet on if
     * a unit is still running: half the reserve. Units start only while the reserve is left over,
     * so a unit that runs a little longer than expected still has the other half to finish in;
     * the hand-off itself (a pass and a delete) needs less than that half.
     *
     * @return milliseconds
     */
    public long handOffMillis() {
        return reserveMillis / 2;
    }

    /** {@return the reserve kept for the hand-off} */
    public long reserveMillis() {
        return reserveMillis;
    }

    /** {@return how many units this budget has measured} */
    public int unitsCompleted() {
        return unitsCompleted;
    }

    /** {@return the total time of the measured units} */
    public long spentMillis() {
        return spentMillis;
    }

    @Override
    public String toString() {
        return "TimeBudget{remainingMs=" + remainingMillis.getAsLong() + ", reserveMs=" + reserveMillis
                + ", longestUnitMs=" + longestUnitMillis + ", units=" + unitsCompleted + "}";
    }

    /** Builds a {@link TimeBudget}. Not thread-safe. */
    public static final class Builder {
        private LongSupplier remainingMillis;
        private Duration reserve;
        private double safetyFactor = DEFAULT_SAFETY_FACTOR;
        private double tailSigmas = DEFAULT_TAIL_SIGMAS;
        private Duration unitHint;

        private Builder() {
        }

        /**
         * Sets the remaining-time source; required.
         *
         * @param remainingMillis returns the milliseconds left in the invocation
         * @return this builder
         */
        public Builder remainingMillis(LongSupplier remainingMillis) {
            this.remainingMillis = remainingMillis;
            return this;
        }

        /**
         * Sets the remaining-time source from a Lambda context.
         *
         * @param context the context
         * @return this builder
         */
        public Builder context(Context context) {
            Objects.requireNonNull(context, "context");
            this.remainingMillis = context::getRemainingTimeInMillis;
            return this;
        }

        /**
         * Sets the time kept back for the hand-off (relayPass or tearDown, or the deadline
         * hand-off's pass and delete). Default: {@link #DEFAULT_RESERVE}, or a tenth of the
         * remaining time at creation if that is less; {@link RelayWorker} sets it from the
         * hand-offs it measured. The deadline hand-off comes at half of it.
         *
         * @param reserve zero or more
         * @return this builder
         */
        public Builder reserve(Duration reserve) {
            this.reserve = reserve;
            return this;
        }

        /**
         * Sets the margin once enough units were measured: how many standard deviations of the log
         * unit times above their mean the next unit may take. Default
         * {@value TimeBudget#DEFAULT_TAIL_SIGMAS}. Lower uses more of the invocation and runs more
         * units into the deadline (each then runs again in the next invocation); higher wastes
         * more of each invocation. docs/benchmarks.md shows the trade.
         *
         * @param tailSigmas at least 0
         * @return this builder
         */
        public Builder tailSigmas(double tailSigmas) {
            this.tailSigmas = tailSigmas;
            return this;
        }

        /**
         * Sets the factor on the longest unit seen, used until {@link TimeBudget#MIN_TAIL_SAMPLES}
         * units were measured. Default 2.0; 1.5 uses a little more of the invocation when unit
         * times are even, at more risk of timeouts when they are not.
         *
         * @param safetyFactor at least 1.0
         * @return this builder
         */
        public Builder safetyFactor(double safetyFactor) {
            this.safetyFactor = safetyFactor;
            return this;
        }

        /**
         * Sets the longest unit known from earlier invocations. A hint longer than all the time the
         * budget starts with makes {@link TimeBudget#hasTimeForAnother()} throw
         * {@link UnitTooLongException}.
         *
         * @param unitHint zero or more, or {@code null} for none
         * @return this builder
         */
        public Builder unitHint(Duration unitHint) {
            this.unitHint = unitHint;
            return this;
        }

        /**
         * Validates the settings and builds the budget; the remaining time is read now.
         *
         * @return the budget
         * @throws IllegalArgumentException naming the bad setting
         */
        public TimeBudget build() {
            if (remainingMillis == null) {
                throw new IllegalArgumentException("remainingMillis is required: pass context::getRemainingTimeInMillis");
            }
            if (reserve != null && reserve.isNegative()) {
                throw new IllegalArgumentException("reserve must not be negative, got " + reserve);
            }
            if (!(safetyFactor >= 1.0) || Double.isInfinite(safetyFactor)) {
                throw new IllegalArgumentException("safetyFactor must be a finite number >= 1.0, got " + safetyFactor);
            }
            if (!(tailSigmas >= 0) || Double.isInfinite(tailSigmas)) {
                throw new IllegalArgumentException("tailSigmas must be a finite number >= 0, got " + tailSigmas);
            }
            if (unitHint != null && unitHint.isNegative()) {
                throw new IllegalArgumentException("unitHint must not be negative, got " + unitHint);
            }
            return new TimeBudget(this);
        }
    }
}
