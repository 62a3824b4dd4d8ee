package io.lambdarelay;

import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.ledger.PooledRelay.Control;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a pooled relay's state lives and is checked: a pooled relay has no queue or mapping of its
 * own to disable, so it is paused, parked, cancelled and ended in the ledger, and every packet of
 * it that arrives reads that state before anything else. A running relay's packet goes on (its
 * relay registered at its first hop); a paused or parked one's is sent back with a delay that
 * doubles from {@link #FIRST_WAIT} to 15 minutes, the same hop, so nothing is lost and resuming
 * takes effect at each packet's next return; a cancelled or ended one's is dropped. Without a
 * ledger that keeps pooled relays, every packet goes on. The reads and writes are charged to the
 * packet's {@link RelayCost}. Thread-safe.
 */
final class PoolGate {
    private static final Logger LOG = LoggerFactory.getLogger(PoolGate.class);
    /** The first wait of a paused or parked relay's packet; each next one doubles, up to SQS's 15 minutes. */
    static final Duration FIRST_WAIT = Duration.ofSeconds(30);

    private final Wiring wiring;
    private final RelayLedger ledger;

    PoolGate(Wiring wiring, RelayLedger ledger) {
        this.wiring = wiring;
        this.ledger = ledger != null && ledger.keepsPooledRelays() ? ledger : null;
    }

    /** Whether this ledger keeps pooled relays: they can be paused, parked and cancelled one by one. */
    boolean controls() {
        return ledger != null;
    }

    /**
     * Whether the packet's hop runs. If not, it was sent back to wait or dropped, and its record is
     * done.
     */
    boolean admit(RelayPacket pkt, Invocation inv) {
        if (!pkt.policy().pooled() || ledger == null || pkt.relayId() == null) {
            return true;
        }
        pkt.addCost(RelayCost.ledgerReads(1));
        Optional<PooledRelay> relay = ledger.pooledRelay(pkt.relayId());
        if (relay.isEmpty()) {
            if (pkt.hop() <= Header.FIRST_HOP && pkt.part() == 0) {
                register(pkt);
            }
            return true;
        }
        Control control = relay.get().control();
        if (control == Control.RUNNING) {
            if (pkt.hopState().waits() > 0) {
                pkt.hopState(pkt.hopState().withWaits(0));
            }
            return true;
        }
        if (control.over()) {
            LOG.info("relay {} is {}: part {} hop {} dropped", pkt.relayId(), control, pkt.part(), pkt.hop());
            return false;
        }
        int waits = pkt.hopState().waits() + 1;
        pkt.hopState(pkt.hopState().withWaits(waits));
        Duration delay = waitDelay(waits);
        inv.charge(pkt);
        wiring.sender().passAgain(pkt, delay);
        LOG.info("relay {} is {}: part {} hop {} waits {} s in the pool (wait {})", pkt.relayId(), control,
                pkt.part(), pkt.hop(), delay.getSeconds(), waits);
        return false;
    }

    /** The delay of a packet's {@code waits}-th wait in a row: 30 s, doubling, at most 15 minutes. */
    static Duration waitDelay(int waits) {
        long seconds = FIRST_WAIT.getSeconds() << Math.min(5, Math.max(0, waits - 1));
        return Duration.ofSeconds(Math.min(Relay.MAX_SQS_DELAY.getSeconds(), seconds));
    }

    private void register(RelayPacket pkt) {
        Header h = pkt.header();
        Instant now = wiring.clock().instant();
        Instant created = h.createdAt() != null ? h.createdAt() : now;
        Instant expires = h.deadline() != null ? h.deadline() : created.plus(Duration.ofDays(14));
        pkt.addCost(RelayCost.ledgerWrites(1));
        PooledRelay r = new PooledRelay(pkt.relayId(), h.function() == null ? "" : h.function(), h.queueUrl(), created,
                expires, Control.RUNNING, "", now);
        if (ledger.registerPooled(r)) {
            LOG.debug("relay {} registered in the ledger", pkt.relayId());
        }
    }

    /**
     * Parks a pooled relay in the ledger: its packets wait from their next arrival on. Returns
     * {@code false} if this ledger cannot hold it, and the caller ends the relay instead.
     */
    boolean park(RelayPacket pkt, String reason) {
        if (ledger == null || pkt.relayId() == null) {
            return false;
        }
        pkt.addCost(new RelayCost(0, 0, 0, 0, 1, 1));
        if (ledger.pooledRelay(pkt.relayId()).isEmpty()) {
            register(pkt); // parked at its first hop, before any packet registered it
        }
        ledger.movePooled(pkt.relayId(), Control.PARKED, reason, wiring.clock().instant(),
                EnumSet.of(Control.RUNNING, Control.PAUSED));
        return true;
    }
}
