package io.lambdarelay;

/** Where a relay stands, as {@link RelayControl} reads it from its queues' tags and its mappings. */
public enum RelayState {
    /** Its mapping delivers: packets move. */
    RUNNING,
    /** Paused by an operator ({@link RelayControl#pause}), or its mappings were disabled by hand: packets wait. */
    PAUSED,
    /**
     * A chain's packet, or more parts than tolerated, ended in the dead-letter queue and the worker
     * parked the relay: mapping disabled, queues kept, until {@link RelayControl#resume} or its expiry.
     */
    PARKED,
    /** A tear-down began and has not finished; the janitor finishes it. */
    DRAINING,
    /**
     * Nothing will move it again: its queue is gone and its dead-letter queue kept, or no
     * event-source mapping reads its queue. The janitor removes it at its expiry.
     */
    FAILED
}
