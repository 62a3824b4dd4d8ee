package io.lambdarelay;

import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.testing.RelayLedgerContract;

/** The ledger contract against relay-core's in-memory ledger, the reference semantics. */
class InMemoryRelayLedgerContractTest extends RelayLedgerContract {
    private final RelayLedger ledger = new InMemoryRelayLedger(clock);

    @Override
    protected RelayLedger ledger() {
        return ledger;
    }
}
