package io.lambdarelay.benchmarks.coldstart;

import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The baseline of {@link RelayFirstPass}: a fresh JVM builds an {@code SqsClient} from the
 * environment and sends the same body to the same queue, then reports like the relay child.
 */
public final class SqsFirstSend {
    private SqsFirstSend() {
    }

    /**
     * Sends the message.
     *
     * @param args the queue URL and the body
     */
    public static void main(String[] args) {
        try (SqsClient sqs = SqsClient.create()) {
            String messageId = sqs.sendMessage(r -> r.queueUrl(args[0]).messageBody(args[1])).messageId();
            System.out.println(ColdStartReport.sent(messageId));
            System.out.flush();
        }
    }
}
