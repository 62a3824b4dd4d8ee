package io.lambdarelay.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * A relay that runs in a pool, as the ledger registers it: a pooled relay has no queue or mapping
 * of its own to carry its state, so the ledger holds it, for workers (which check it as each
 * packet arrives) and for operators ({@code RelayControl}, the {@code relay} command line).
 *
 * @param relayId the relay's id
 * @param workerFunction the worker function's name
 * @param queueUrl the pool's queue
 * @param created when the relay was set up
 * @param expires the relay's deadline
 * @param control where it stands
 * @param reason why, in words (a parked relay's failure; never packet contents), or empty
 * @param changed when {@code control} last changed
 */
public record PooledRelay(String relayId, String workerFunction, String queueUrl, Instant created, Instant expires,
        Control control, String reason, Instant changed) {

    /** Where a pooled relay stands. */
    public enum Control {
        /** Its packets are worked on. */
        RUNNING,
        /** Paused by an operator: its packets wait in the pool, each coming back after a delay. */
        PAUSED,
        /** A packet was dead-lettered: its packets wait, as when paused, until it is resumed after a fix. */
        PARKED,
        /** Cancelled by an operator: its packets are dropped as they arrive. */
        CANCELLED,
        /** It completed or failed: a packet that still arrives (a duplicate) is dropped. */
        ENDED;

        /** {@return whether the relay's packets wait: paused or parked} */
        public boolean waits() {
            return this == PAUSED || this == PARKED;
        }

        /** {@return whether the relay is over: cancelled or ended; no transition leaves it} */
        public boolean over() {
            return this == CANCELLED || this == ENDED;
        }
    }

    /**
     * Checks the fields.
     *
     * @param relayId the relay's id
     * @param workerFunction the worker function's name
     * @param queueUrl the pool's queue
     * @param created when the relay was set up
     * @param expires the relay's deadline
     * @param control where it stands
     * @param reason why, or empty
     * @param changed when {@code control} last changed
     */
    public PooledRelay {
        Objects.requireNonNull(relayId, "relayId");
        Objects.requireNonNull(workerFunction, "workerFunction");
        Objects.requireNonNull(queueUrl, "queueUrl");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(control, "control");
        reason = reason == null ? "" : reason.length() > 256 ? reason.substring(0, 256) : reason;
        Objects.requireNonNull(changed, "changed");
    }

    /**
     * This relay in another state.
     *
     * @param to the new state
     * @param why the reason, or empty
     * @param at when
     * @return the relay in state {@code to}
     */
    public PooledRelay withControl(Control to, String why, Instant at) {
        return new PooledRelay(relayId, workerFunction, queueUrl, created, expires, to, why, at);
    }
}
