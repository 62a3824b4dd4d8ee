package io.lambdarelay.dynamodb;

import io.lambdarelay.dynamodb.testing.Dynalite;
import io.lambdarelay.dynamodb.testing.DynaliteExtension;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.testing.RelayLedgerContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ledger contract against dynalite; skipped without Node.js. */
class DynamoDbRelayLedgerContractTest extends RelayLedgerContract {
    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private RelayLedger ledger;

    @BeforeEach
    void createLedger() {
        ledger = DynamoDbRelayLedger.builder().dynamoDbClient(DYNALITE.dynalite().client()).tableName(Dynalite.TABLE)
                .clock(clock).build();
    }

    @Override
    protected RelayLedger ledger() {
        return ledger;
    }
}
