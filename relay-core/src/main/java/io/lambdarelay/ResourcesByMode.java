package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.OptionalLong;

/**
 * The relay's resources by mode: a pooled relay's ({@link Policy#pooled()}, or
 * {@link RelaySetup#pooled()} at setup) in {@link PooledQueues}, any other's in
 * {@link QueuePerRelay}. Thread-safe.
 */
final class ResourcesByMode implements RelayResources {
    private final RelayResources perRelay;
    private final RelayResources pooled;

    ResourcesByMode(RelayResources perRelay, RelayResources pooled) {
        this.perRelay = perRelay;
        this.pooled = pooled;
    }

    private RelayResources of(RelayPacket pkt) {
        return pkt.policy().pooled() ? pooled : perRelay;
    }

    @Override
    public RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        return (options.pooled() ? pooled : perRelay).setup(context, workerFunction, options);
    }

    @Override
    public TearDownResult tearDown(RelayPacket pkt, boolean keepDlq) {
        return of(pkt).tearDown(pkt, keepDlq);
    }

    @Override
    public OptionalLong queued(RelayPacket pkt) {
        return of(pkt).queued(pkt);
    }

    @Override
    public OptionalLong deadLettered(RelayPacket pkt) {
        return of(pkt).deadLettered(pkt);
    }
}
