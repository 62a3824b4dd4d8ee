package io.lambdarelay.testing;

import io.lambdarelay.RelayCost;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A ledger that passes every call to another; a test overrides the calls it wants to break. */
public class DelegatingLedger implements RelayLedger {
    private final RelayLedger delegate;

    public DelegatingLedger(RelayLedger delegate) {
        this.delegate = delegate;
    }

    @Override
    public Claim claimHop(String relayId, int part, long hop, String messageId) {
        return delegate.claimHop(relayId, part, hop, messageId);
    }

    @Override
    public PartTally finishPart(String relayId, int part, boolean failed) {
        return delegate.finishPart(relayId, part, failed);
    }

    @Override
    public void addUnits(String relayId, long units) {
        delegate.addUnits(relayId, units);
    }

    @Override
    public PartTally tally(String relayId) {
        return delegate.tally(relayId);
    }

    @Override
    public PartTally reopenPart(String relayId, int part) {
        return delegate.reopenPart(relayId, part);
    }

    @Override
    public Completion beginCompletion(String relayId, String messageId, Duration lease) {
        return delegate.beginCompletion(relayId, messageId, lease);
    }

    @Override
    public void endCompletion(String relayId) {
        delegate.endCompletion(relayId);
    }

    @Override
    public void addCost(String relayId, RelayCost cost) {
        delegate.addCost(relayId, cost);
    }

    @Override
    public void addProgress(String relayId, long units, RelayCost spent, Instant at) {
        delegate.addProgress(relayId, units, spent, at);
    }

    @Override
    public Optional<Instant> lastProgress(String relayId) {
        return delegate.lastProgress(relayId);
    }

    @Override
    public Optional<RelayCost> cost(String relayId) {
        return delegate.cost(relayId);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }
}
