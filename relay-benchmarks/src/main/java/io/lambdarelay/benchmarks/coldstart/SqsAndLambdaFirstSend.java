package io.lambdarelay.benchmarks.coldstart;

import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A diagnostic: builds both SDK clients, as {@code Relay.create()} did before it built its
 * {@code LambdaClient} lazily, and sends the body without the relay. Its cost over the bare send
 * is what building a second SDK client at start costs; the relay child no longer pays it.
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
        // Built as Relay.create() used to build it, and not used by the send.
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
