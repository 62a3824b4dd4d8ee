package io.lambdarelay.dynamodb;

import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.testing.RelayLedgerContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ledger contract against LocalStack's DynamoDB in a container (the image relay-examples' tests
 * pin). Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackRelayLedgerContractTest extends RelayLedgerContract {
    private static final String TABLE = "relay-ledger";

    @Container
    static final LocalStackContainer LOCALSTACK =
            new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8.1"))
                    .withServices(LocalStackContainer.Service.DYNAMODB);

    private static DynamoDbClient client;
    private RelayLedger ledger;

    @BeforeAll
    static void createTable() {
        client = DynamoDbClient.builder()
                .endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        DynamoDbRelayLedger.createTable(client, TABLE);
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    protected RelayLedger ledger() {
        if (ledger == null) {
            ledger = DynamoDbRelayLedger.builder().dynamoDbClient(client).tableName(TABLE).clock(clock).build();
        }
        return ledger;
    }
}
