package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start function does: fan a packet out, and set a relay up and pass its first packets as
 * one step that is rolled back if any of it fails. Thread-safe.
 */
final class Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    private final Wiring wiring;

    Launcher(Wiring wiring) {
        this.wiring = wiring;
    }

    /**
     * Splits, initialises and passes the parts. Without a ledger the drain watchdog is started
     * first: if some parts cannot be passed, passing the unsent ones again is all it takes, and
     * the watchdog is already there to complete the relay.
     */
    List<String> fanOut(RelayPacket pkt, int parts, BiConsumer<Integer, RelayPacket> init) {
        Objects.requireNonNull(init, "init");
        if (pkt.policy().pooled() && !wiring.fanIn().exact() && parts > 1) {
            throw new IllegalStateException("relay " + pkt.relayId() + " runs in a pool, where a fan-out needs a ledger "
                    + "to know when its parts are done (a pool's queue counts every relay's packets); build the Relay "
                    + "with a ledger (Relay.builder().ledger(...)), or fan out on a queue of its own");
        }
        List<RelayPacket> split = pkt.split(parts);
        for (int i = 0; i < split.size(); i++) {
            init.accept(i, split.get(i));
        }
        boolean watchdog = !wiring.fanIn().exact() && parts > 1;
        if (watchdog) {
            wiring.watchdog().start(pkt, parts);
        }
        List<String> ids = wiring.sender().passAll(split);
        LOG.info("relay {} fanned out into {} part(s) with {}", pkt.relayId(), parts,
                watchdog ? "a drain watchdog" : parts > 1 ? "a ledger" : "no fan-in");
        return ids;
    }

    RelayPacket start(Context context, String workerFunction, RelaySetup options, Consumer<RelayPacket> fill) {
        Objects.requireNonNull(fill, "fill");
        RelayPacket pkt = wiring.resources().setup(context, workerFunction, options);
        return orRollBack(pkt, () -> {
            fill.accept(pkt);
            wiring.sender().pass(pkt, Duration.ZERO);
            return pkt;
        });
    }

    List<String> startFanOut(Context context, String workerFunction, RelaySetup options, int parts,
            BiConsumer<Integer, RelayPacket> init) {
        Objects.requireNonNull(init, "init");
        RelayPacket pkt = wiring.resources().setup(context, workerFunction, options);
        return orRollBack(pkt, () -> fanOut(pkt, parts, init));
    }

    /** Runs the step; if it throws, tears the relay down again and rethrows, with a failed roll-back suppressed. */
    private <T> T orRollBack(RelayPacket pkt, Supplier<T> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            LOG.warn("relay {}: the start failed ({}); tearing the relay down again", pkt.relayId(),
                    e.getClass().getName());
            try {
                wiring.resources().tearDown(pkt, false);
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
    }
}
