package io.lambdarelay.benchmarks;

import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A LambdaClient that answers nothing: every operation throws {@link UnsupportedOperationException}
 * (the interface's defaults). Handing it to a {@code Relay} proves that the measured path makes no
 * Lambda call.
 */
final class NoCallsLambda implements LambdaClient {
    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
