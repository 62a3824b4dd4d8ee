package io.lambdarelay.examples.sqs;

import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The LocalStack image the LocalStack tests run, pinned, and an SQS client for a started container. */
final class LocalStackImage {
    static final DockerImageName NAME = DockerImageName.parse("localstack/localstack:3.8.1");

    private LocalStackImage() {
    }

    /** A new SQS client pointed at the container; the caller closes it. */
    static SqsClient sqsClient(LocalStackContainer localstack) {
        return SqsClient.builder()
                .endpointOverride(localstack.getEndpoint())
                .region(Region.of(localstack.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }
}
