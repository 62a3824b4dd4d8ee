package io.lambdarelay.benchmarks.coldstart;

import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A diagnostic between the two: builds both SDK clients, as {@code Relay.create()} does, but sends
 * the body without the relay. Splits the relay's cold-start cost into "a second SDK client" and
 * "the relay itself" (packet parsing and serialization, its own classes).
 */
public final class SqsAndLambdaFirstSend {
    private SqsAndLambdaFirstSend() {
    }

    /**
     * Sends the message.
     *
     * @param args the queue URL and the body
     */
    public static void main(String[] args) {
        SqsClient sqs = SqsClient.create();
        // Built as Relay.create() builds it, and not used by the send.
        LambdaClient lambda = LambdaClient.create();
        try {
            String messageId = sqs.sendMessage(r -> r.queueUrl(args[0]).messageBody(args[1])).messageId();
            System.out.println(ColdStartReport.sent(messageId));
            System.out.flush();
        } finally {
            lambda.close();
            sqs.close();
        }
    }
}
