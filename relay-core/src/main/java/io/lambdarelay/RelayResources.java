package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.OptionalLong;

/**
 * The resources a relay runs on, created by {@link Relay#setup} and removed by
 * {@link Relay#tearDown}. The one implementation, {@link QueuePerRelay}, gives every relay a queue,
 * a dead-letter queue and a mapping of its own; a pooled mode, in which many relays share one
 * long-lived queue and mapping per worker, would be a second. Implementations are thread-safe.
 */
interface RelayResources {

    /** Creates what a new relay needs and returns its first packet. */
    RelayPacket setup(Context context, String workerFunction, RelaySetup options);

    /**
     * Removes what the relay used, keeping a dead-letter queue that holds packets, or any
     * dead-letter queue if {@code keepDlq} (the caller knows it just put packets there).
     */
    TearDownResult tearDown(RelayPacket pkt, boolean keepDlq);

    /** Packets waiting for the relay: visible, in flight and delayed; empty if that cannot be known. */
    OptionalLong queued(RelayPacket pkt);

    /** Packets in the relay's dead-letter queue; empty if it has none or it is gone. */
    OptionalLong deadLettered(RelayPacket pkt);
}
