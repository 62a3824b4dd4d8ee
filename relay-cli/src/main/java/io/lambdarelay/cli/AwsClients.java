package io.lambdarelay.cli;

import java.net.URI;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients of one command, built from its options as the AWS CLI would: region, profile
 * and endpoints, each with the URL-connection HTTP client. DynamoDB's is built only when a ledger
 * is needed. Closes what it built.
 */
final class AwsClients implements AutoCloseable {
    private final CliOptions options;
    private final SqsClient sqs;
    private final LambdaClient lambda;
    private DynamoDbClient dynamoDb;

    private AwsClients(CliOptions options) {
        this.options = options;
        this.sqs = configure(SqsClient.builder(), options.sqsEndpointUrl()).build();
        LambdaClient l;
        try {
            l = configure(LambdaClient.builder(), options.lambdaEndpointUrl()).build();
        } catch (RuntimeException e) {
            sqs.close();
            throw e;
        }
        this.lambda = l;
    }

    static AwsClients of(CliOptions options) {
        return new AwsClients(options);
    }

    SqsClient sqs() {
        return sqs;
    }

    LambdaClient lambda() {
        return lambda;
    }

    synchronized DynamoDbClient dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = configure(DynamoDbClient.builder(), options.dynamoDbEndpointUrl()).build();
        }
        return dynamoDb;
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, URI serviceEndpoint) {
        if (builder instanceof software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(UrlConnectionHttpClient.builder());
        }
        if (options.region() != null) {
            builder.region(Region.of(options.region()));
        }
        if (options.profile() != null) {
            builder.overrideConfiguration(c -> c.defaultProfileName(options.profile()));
        }
        URI endpoint = serviceEndpoint != null ? serviceEndpoint : options.endpointUrl();
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    /** What went wrong in an AWS call, with what to check. */
    static String explain(SdkException e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException && m.contains("region")) {
            return m + " (set --region, AWS_REGION, or a region in the profile)";
        }
        if (e instanceof SdkClientException && m.startsWith("Unable to load credentials")) {
            return "no AWS credentials found: set --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        }
        return e.getClass().getSimpleName() + ": " + m;
    }

    @Override
    public void close() {
        sqs.close();
        lambda.close();
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }
}
