package io.lambdarelay.local.faults;

import java.time.Instant;
import java.util.Objects;

/**
 * One fault that {@link Faults} injected, so a test can assert what happened to the code under
 * test.
 *
 * @param at when, on the clock of the {@link Faults}
 * @param operation the API operation, e.g. {@code "SendMessage"}
 * @param target what the call named: a queue URL, a function name or an event-source mapping id
 *     ({@code ""} if none); for a delivery, the queue's name
 * @param kind what was done to the call
 * @param detail the rest in words, e.g. the exception thrown or the entries failed
 */
public record InjectedFault(Instant at, String operation, String target, Kind kind, String detail) {

    /** What a fault did to a call. */
    public enum Kind {
        /** The call threw the given exception and had no effect. */
        FAILED,
        /** The call threw the service's throttling error and had no effect. */
        THROTTLED,
        /** The call took effect, then threw as if its response had been lost on the way back. */
        RESPONSE_LOST,
        /** Entries of a batch call failed on the service's side (they may be tried again). */
        ENTRIES_FAILED,
        /** Entries of a batch call were refused as the sender's fault. */
        ENTRIES_REFUSED,
        /** Approximate message counts left out messages sent less than the lag ago. */
        COUNTS_LAGGED,
        /** A short poll returned no message although the queue held some. */
        SHORT_POLL_EMPTY,
        /** A batch was delivered to two invocations at once, as SQS may deliver a message twice. */
        DELIVERED_TWICE,
        /** An invocation was killed at a call (before or after it took effect); none of its code ran after it. */
        INVOCATION_KILLED,
        /** An invocation was killed as out of memory at a call or point; none of its code ran after it. */
        OUT_OF_MEMORY,
        /** An invocation was blocked at a call or point until interrupted or timed out. */
        HUNG,
        /** The event-source mapping that delivered a running invocation was deleted under it. */
        MAPPING_DELETED
    }

    /**
     * Checks the fields.
     *
     * @param at when
     * @param operation the API operation
     * @param target what the call named
     * @param kind what was done
     * @param detail the rest in words
     * @throws NullPointerException if a field is null
     */
    public InjectedFault {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
