package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;

/**
 * What one worker invocation carries from record to record of its batch: the context, which
 * record it is on, the longest unit it has measured (so a later record knows what a unit takes
 * before it starts one), and its {@link Deadline}. Lives in a local of {@link RelayWorker#handleRequest}, never in a
 * field. Not thread-safe: one invocation runs on one thread.
 */
final class Invocation {
    /** The lease of an invocation without a context (outside Lambda): Lambda's longest timeout. */
    static final Duration NO_CONTEXT_LEASE = Duration.ofMinutes(15);

    private final Context context;
    private final Deadline deadline;
    private int records;
    private long longestUnitMs;

    Invocation(Context context, Deadline deadline) {
        this.context = context;
        this.deadline = deadline;
    }

    Context context() {
        return context;
    }

    /** The invocation's deadline hand-off. */
    Deadline deadline() {
        return deadline;
    }

    /** Moves on to the next record. */
    void nextRecord() {
        records++;
    }

    /** Whether the current record is the invocation's first: it has the whole invocation's time. */
    boolean firstRecord() {
        return records <= 1;
    }

    /** The longest unit measured by earlier records of this invocation, 0 if none. */
    long longestUnitMs() {
        return longestUnitMs;
    }

    void sawUnit(long ms) {
        longestUnitMs = Math.max(longestUnitMs, ms);
    }

    /** How long this invocation can still run: the lease of anything it claims until it ends. */
    Duration lease() {
        return context == null ? NO_CONTEXT_LEASE : Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
    }
}
