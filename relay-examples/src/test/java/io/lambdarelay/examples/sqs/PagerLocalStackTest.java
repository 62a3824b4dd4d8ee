package io.lambdarelay.examples.sqs;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The pager example's SQS side on LocalStack's SQS: setup's queues, attributes and tags, the
 * hand-offs and the tear-down, with the worker run in this JVM by {@link ManualMapping} and Lambda
 * stubbed (nothing is deployed). Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class PagerLocalStackTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(LocalStackImage.NAME)
            .withServices(LocalStackContainer.Service.SQS);

    @Test
    void pager_setupPassesAndTearDown_onLocalStackSqs() throws Exception {
        try (SqsClient sqs = SqsClient.builder()
                .endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            SqsSideScenarios.pager(sqs, LOCALSTACK.getRegion());
        }
    }
}
