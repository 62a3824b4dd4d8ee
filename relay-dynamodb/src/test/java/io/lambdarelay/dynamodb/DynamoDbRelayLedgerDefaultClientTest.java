package io.lambdarelay.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lambdarelay.local.testing.StubEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A ledger built without a client builds its own on the URL-connection HTTP client, even with the
 * Apache client on the classpath (this module's tests have it there), where the SDK would take
 * Apache for a client built from defaults. A stub endpoint records which HTTP client each request
 * came from.
 */
class DynamoDbRelayLedgerDefaultClientTest {
    private static List<String> httpClients(StubEndpoint aws) {
        return aws.requests().stream().map(StubEndpoint.Request::httpClient).toList();
    }

    @Test
    void sdkDefaults_withTheApacheClientOnTheClasspath_takeIt() {
        try (StubEndpoint aws = StubEndpoint.startAsDefault(); DynamoDbClient dynamoDb = DynamoDbClient.create()) {
            dynamoDb.listTables();
            assertEquals(List.of("Apache"), httpClients(aws), "this test's premise");
        }
    }

    @Test
    void ownClient_isBuiltOnTheUrlConnectionClient() {
        try (StubEndpoint aws = StubEndpoint.startAsDefault();
                DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().tableName("relay-ledger").build()) {
            ledger.tally("relay-1");
            assertEquals(List.of("GetItem"), aws.requests().stream().map(StubEndpoint.Request::operation).toList());
            assertEquals(List.of("UrlConnection"), httpClients(aws));
        }
    }
}
