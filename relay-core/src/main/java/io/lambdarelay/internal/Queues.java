package io.lambdarelay.internal;

import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** The queue look-ups that setup, tear-down, progress and the janitor share. */
public final class Queues {
    private Queues() {
    }

    /**
     * Counts a queue's messages: visible, in flight and delayed (SQS's approximate counts).
     *
     * @param sqs the client
     * @param queueUrl the queue
     * @return the count, or -1 if the queue does not exist
     */
    public static long countMessages(SqsClient sqs, String queueUrl) {
        try {
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            return a.values().stream().mapToLong(Long::parseLong).sum();
        } catch (QueueDoesNotExistException e) {
            return -1;
        }
    }

    /**
     * Deletes a queue; a queue that is already gone is not an error.
     *
     * @param sqs the client
     * @param queueUrl the queue
     * @return {@code true} if this call deleted it
     */
    public static boolean delete(SqsClient sqs, String queueUrl) {
        try {
            sqs.deleteQueue(r -> r.queueUrl(queueUrl));
            return true;
        } catch (QueueDoesNotExistException e) {
            return false;
        }
    }

    /**
     * Reads a queue's ARN.
     *
     * @param sqs the client
     * @param queueUrl the queue
     * @return the ARN
     */
    public static String arn(SqsClient sqs, String queueUrl) {
        String arn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        if (arn == null) {
            throw new IllegalStateException("SQS returned no QueueArn for " + queueUrl);
        }
        return arn;
    }
}
