package io.lambdarelay.internal;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients the library builds itself when it is given none: region and credentials from
 * the environment, and the URL-connection HTTP client, always named. Left to the SDK, the HTTP
 * client is whichever implementation the classpath holds, and with the Apache client there (an
 * application's other dependency may bring it) the SDK takes that one silently, at a cost in
 * cold-start time and footprint that relay-core's dependencies are chosen to avoid. Not API.
 */
public final class DefaultClients {
    private DefaultClients() {
    }

    /** {@return an SQS client from the environment, on the URL-connection HTTP client; the caller closes it} */
    public static SqsClient sqs() {
        return SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** {@return a Lambda client from the environment, on the URL-connection HTTP client; the caller closes it} */
    public static LambdaClient lambda() {
        return LambdaClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }
}
