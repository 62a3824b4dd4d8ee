package io.lambdarelay.dynamodb;

import io.lambdarelay.InMemoryRelayLedger;
import io.lambdarelay.RelayLedger;

/** The ledger contract against relay-core's in-memory ledger, the reference semantics. */
class InMemoryRelayLedgerContractTest extends RelayLedgerContract {
    private final RelayLedger ledger = new InMemoryRelayLedger();

    @Override
    protected RelayLedger ledger() {
        return ledger;
    }
}
