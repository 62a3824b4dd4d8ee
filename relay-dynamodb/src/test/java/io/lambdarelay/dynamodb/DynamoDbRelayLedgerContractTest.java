package io.lambdarelay.dynamodb;

import io.lambdarelay.RelayLedger;
import io.lambdarelay.dynamodb.testing.EmbeddedDynamoDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The ledger contract against DynamoDB Local, in this JVM. */
class DynamoDbRelayLedgerContractTest extends RelayLedgerContract {
    private static EmbeddedDynamoDb dynamoDb;
    private static RelayLedger ledger;

    @BeforeAll
    static void startDynamoDb() {
        dynamoDb = new EmbeddedDynamoDb();
        ledger = DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client())
                .tableName(EmbeddedDynamoDb.TABLE).build();
    }

    @AfterAll
    static void stopDynamoDb() {
        dynamoDb.close();
    }

    @Override
    protected RelayLedger ledger() {
        return ledger;
    }
}
