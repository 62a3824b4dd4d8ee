package io.lambdarelay.internal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** The queue look-ups that setup, tear-down, progress and the janitor share. */
public final class Queues {
    private static final Pattern DLQ_ARN = Pattern.compile("\"deadLetterTargetArn\"\\s*:\\s*\"([^\"]+)\"");

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

    /**
     * Finds a relay queue's dead-letter queue: the one its redrive policy names, or, for a queue
     * without one (a setup that died half-way), the one named after it with {@code dlqSuffix}. A
     * relay's dead-letter queue is in the queue's account and region, so its URL is the queue's
     * with the last segment replaced.
     *
     * @param sqs the client
     * @param queueUrl the relay queue
     * @param dlqSuffix the suffix of dead-letter queue names
     * @return the dead-letter queue's URL (the queue itself may be gone)
     */
    public static String deadLetterQueueUrl(SqsClient sqs, String queueUrl, String dlqSuffix) {
        String policy = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes().get(QueueAttributeName.REDRIVE_POLICY);
        Matcher m = policy == null ? null : DLQ_ARN.matcher(policy);
        String base = queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1);
        if (m == null || !m.find()) {
            return queueUrl + dlqSuffix;
        }
        return base + m.group(1).substring(m.group(1).lastIndexOf(':') + 1);
    }
}
