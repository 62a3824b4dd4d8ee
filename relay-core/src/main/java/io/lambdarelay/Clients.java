package io.lambdarelay;

import io.lambdarelay.internal.DefaultClients;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients a relay uses, and which of them it owns: a client given to the builder is never
 * closed; one the relay created is closed with it, and is built by {@link DefaultClients}, on the
 * URL-connection HTTP client. The Lambda client is created on first use, so a worker that only
 * passes never pays for it at cold start. Thread-safe.
 */
final class Clients implements AutoCloseable {
    private final SqsClient sqs;
    private final boolean ownsSqs;
    private final LambdaClient givenLambda;
    private volatile LambdaClient createdLambda;

    Clients(SqsClient givenSqs, LambdaClient givenLambda) {
        this.ownsSqs = givenSqs == null;
        this.sqs = ownsSqs ? DefaultClients.sqs() : givenSqs;
        this.givenLambda = givenLambda;
    }

    SqsClient sqs() {
        return sqs;
    }

    LambdaClient lambda() {
        if (givenLambda != null) {
            return givenLambda;
        }
        LambdaClient c = createdLambda;
        if (c == null) {
            synchronized (this) {
                c = createdLambda;
                if (c == null) {
                    c = DefaultClients.lambda();
                    createdLambda = c;
                }
            }
        }
        return c;
    }

    @Override
    public void close() {
        if (ownsSqs) {
            sqs.close();
        }
        LambdaClient created = createdLambda;
        if (created != null) {
            created.close();
        }
    }

    /** An SDK failure in a sentence: its type and message (which never holds packet contents). */
    static String describe(Throwable e) {
        String m = e instanceof SdkException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
