package io.lambdarelay.dynamodb;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.ledger.LedgerUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A real SDK client pointed at a port nobody listens on: every ledger call reports the store unavailable. */
class DynamoDbRelayLedgerUnavailableTest {
    private static final String TABLE = "relay-ledger-unreachable";

    private static DynamoDbClient client;
    private static DynamoDbRelayLedger ledger;

    @BeforeAll
    static void clientToAClosedPort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        client = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        ledger = DynamoDbRelayLedger.builder().dynamoDbClient(client).tableName(TABLE).build();
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    static Stream<Arguments> calls() {
        return Stream.of(
                call("claimHop", "PutItem", () -> ledger.claimHop("relay-1", 0, 1, "msg-a")),
                call("finishPart", "UpdateItem", () -> ledger.finishPart("relay-1", 0, false)),
                call("addUnits", "UpdateItem", () -> ledger.addUnits("relay-1", 5)),
                call("tally", "GetItem", () -> ledger.tally("relay-1")),
                call("reopenPart", "UpdateItem", () -> ledger.reopenPart("relay-1", 0)),
                call("beginCompletion", "UpdateItem", () -> ledger.beginCompletion("relay-1", "m-1", Duration.ofSeconds(5))),
                call("endCompletion", "UpdateItem", () -> ledger.endCompletion("relay-1")));
    }

    private static Arguments call(String method, String operation, Executable call) {
        return Arguments.of(Named.of(method, call), operation + " (" + method + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void everyCall_storeUnreachable_throwsLedgerUnavailableNamingTableAndOperation(Executable call, String what) {
        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class, call);

        assertInstanceOf(SdkClientException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("DynamoDB table " + TABLE + " did not answer " + what + " for relay relay-1: "),
                e.getMessage());
    }

    @Test
    void createTable_storeUnreachable_throwsLedgerUnavailableNamingTheTable() {
        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class,
                () -> DynamoDbRelayLedger.createTable(client, TABLE));

        assertInstanceOf(SdkClientException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("DynamoDB table " + TABLE + " could not be created (CreateTable): "),
                e.getMessage());
    }
}
