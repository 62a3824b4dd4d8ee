package io.lambdarelay.dynamodb.testing;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import io.lambdarelay.dynamodb.DynamoDbRelayLedger;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** DynamoDB Local in this JVM (no HTTP, no telemetry) with a ledger table created. */
public final class EmbeddedDynamoDb implements AutoCloseable {
    /** The ledger table every test uses; tests keep apart by relay id. */
    public static final String TABLE = "relay-ledger";

    private final AmazonDynamoDBLocal local;
    private final DynamoDbClient client;

    /** Starts DynamoDB Local and creates {@link #TABLE}. */
    public EmbeddedDynamoDb() {
        local = DynamoDBEmbedded.create(true);
        client = local.dynamoDbClient();
        DynamoDbRelayLedger.createTable(client, TABLE);
    }

    /** The client speaking to the embedded store. */
    public DynamoDbClient client() {
        return client;
    }

    /** Reads one item of the ledger table as stored, or an empty map. */
    public Map<String, AttributeValue> item(String relayId, String sortKey) {
        return client.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of(
                DynamoDbRelayLedger.PARTITION_KEY, AttributeValue.fromS(relayId),
                DynamoDbRelayLedger.SORT_KEY, AttributeValue.fromS(sortKey)))).item();
    }

    @Override
    public void close() {
        local.shutdown();
    }
}
