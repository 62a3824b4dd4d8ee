package io.lambdarelay.ledger;

import io.lambdarelay.RelayCost;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RelayLedger} in this JVM's memory: for tests and the local stack, where every worker
 * runs in one process. Not for AWS, where each worker runs in its own execution environment.
 * Thread-safe.
 */
public final class InMemoryRelayLedger implements RelayLedger {
    private final Map<String, State> relays = new ConcurrentHashMap<>();
    private final Map<String, PooledRelay> pooled = new ConcurrentHashMap<>();
    private final Clock clock;

    /** Creates an empty ledger on the system clock. */
    public InMemoryRelayLedger() {
        this(Clock.systemUTC());
    }

    /**
     * Creates an empty ledger whose completion leases run on {@code clock}.
     *
     * @param clock the clock
     */
    public InMemoryRelayLedger(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private State state(String relayId) {
        return relays.computeIfAbsent(Objects.requireNonNull(relayId, "relayId"), k -> new State());
    }

    @Override
    public Claim claimHop(String relayId, int part, long hop, String messageId) {
        Objects.requireNonNull(messageId, "messageId");
        String previous = state(relayId).claims.putIfAbsent(part + "#" + hop, messageId);
        if (previous == null) {
            return Claim.CLAIMED;
        }
        return previous.equals(messageId) ? Claim.TAKEN_OVER : Claim.FORK;
    }

    @Override
    public PartTally finishPart(String relayId, int part, boolean failed) {
        State s = state(relayId);
        synchronized (s) {
            if (s.finished.putIfAbsent(part, failed) == null) {
                if (failed) {
                    s.failed++;
                } else {
                    s.done++;
                }
            }
            return s.tally();
        }
    }

    @Override
    public void addUnits(String relayId, long units) {
        if (units < 0) {
            throw new IllegalArgumentException("units must not be negative, got " + units);
        }
        State s = state(relayId);
        synchronized (s) {
            s.units += units;
        }
    }

    @Override
    public PartTally tally(String relayId) {
        State s = state(relayId);
        synchronized (s) {
            return s.tally();
        }
    }

    @Override
    public PartTally reopenPart(String relayId, int part) {
        State s = state(relayId);
        synchronized (s) {
            if (Boolean.TRUE.equals(s.finished.get(part))) {
                s.finished.remove(part);
                s.failed--;
            }
            return s.tally();
        }
    }

    @Override
    public Completion beginCompletion(String relayId, String messageId, Duration lease) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(lease, "lease");
        State s = state(relayId);
        synchronized (s) {
            long now = clock.millis();
            if (s.hookDone) {
                return Completion.TEAR_DOWN;
            }
            if (s.completingBy != null && now < s.leaseUntil) {
                return Completion.OTHER;
            }
            s.completingBy = messageId;
            s.leaseUntil = now + lease.toMillis();
            return Completion.RUN_HOOK;
        }
    }

    @Override
    public void endCompletion(String relayId) {
        State s = state(relayId);
        synchronized (s) {
            s.hookDone = true;
        }
    }

    @Override
    public void addCost(String relayId, RelayCost cost) {
        Objects.requireNonNull(cost, "cost");
        State s = state(relayId);
        synchronized (s) {
            s.cost = s.cost.plus(cost);
        }
    }

    @Override
    public void addProgress(String relayId, long units, RelayCost spent, Instant at) {
        if (units < 0) {
            throw new IllegalArgumentException("units must not be negative, got " + units);
        }
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(at, "at");
        State s = state(relayId);
        synchronized (s) {
            s.units += units;
            s.cost = s.cost.plus(spent);
            s.lastProgress = at; // the latest write, as a store without a clock of its own keeps it
        }
    }

    @Override
    public Optional<Instant> lastProgress(String relayId) {
        State s = state(relayId);
        synchronized (s) {
            return Optional.ofNullable(s.lastProgress);
        }
    }

    @Override
    public Optional<RelayCost> cost(String relayId) {
        State s = state(relayId);
        synchronized (s) {
            return Optional.of(s.cost);
        }
    }

    @Override
    public boolean keepsPooledRelays() {
        return true;
    }

    @Override
    public boolean registerPooled(PooledRelay relay) {
        Objects.requireNonNull(relay, "relay");
        return pooled.putIfAbsent(relay.relayId(), relay) == null;
    }

    @Override
    public Optional<PooledRelay> pooledRelay(String relayId) {
        return Optional.ofNullable(pooled.get(Objects.requireNonNull(relayId, "relayId")));
    }

    @Override
    public List<PooledRelay> pooledRelays() {
        return pooled.values().stream().filter(r -> !r.control().over())
                .sorted(Comparator.comparing(PooledRelay::created).thenComparing(PooledRelay::relayId)).toList();
    }

    @Override
    public Optional<PooledRelay> movePooled(String relayId, PooledRelay.Control to, String reason, Instant at,
            Set<PooledRelay.Control> from) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(from, "from");
        return Optional.ofNullable(pooled.computeIfPresent(Objects.requireNonNull(relayId, "relayId"),
                (id, r) -> from.contains(r.control()) ? r.withControl(to, reason, at) : r));
    }

    /** Per-relay state; counters are guarded by the instance's monitor. */
    private static final class State {
        final Map<String, String> claims = new ConcurrentHashMap<>();
        final Map<Integer, Boolean> finished = new ConcurrentHashMap<>();
        long done;
        long failed;
        long units;
        String completingBy;
        long leaseUntil;
        boolean hookDone;
        RelayCost cost = RelayCost.ZERO;
        Instant lastProgress;

        PartTally tally() {
            return new PartTally(done, failed, units);
        }
    }
}
