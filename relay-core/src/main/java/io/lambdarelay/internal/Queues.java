package io.lambdarelay.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** The queue look-ups that setup, tear-down, progress and the janitor share. */
public final class Queues {
    private static final Pattern DLQ_ARN = Pattern.compile("\"deadLetterTargetArn\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern MAX_RECEIVE = Pattern.compile("\"maxReceiveCount\"\\s*:\\s*\"?(\\d{1,4})");

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
     * Lists the URLs of the queues whose names start with a prefix, every page.
     *
     * @param sqs the client
     * @param prefix the name prefix
     * @return the URLs
     */
    public static List<String> urlsWithPrefix(SqsClient sqs, String prefix) {
        List<String> urls = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            var page = sqs.listQueues(r -> r.queueNamePrefix(prefix).maxResults(1000).nextToken(next));
            urls.addAll(page.queueUrls());
            token = page.nextToken();
        } while (token != null);
        return urls;
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
     * What a relay queue says about itself: its ARN and, from its redrive policy, its dead-letter
     * queue and the receive count after which SQS moves a message there. Everything the library
     * deletes or dead-letters for a relay is derived from these, never from a packet, so a
     * corrupted or forged packet cannot reach beyond its own relay.
     *
     * @param arn the queue's ARN
     * @param deadLetterQueueUrl the dead-letter queue's URL, or {@code null} if the queue has no redrive policy
     * @param maxReceiveCount the redrive policy's receive count, or 0 without one
     */
    public record Info(String arn, String deadLetterQueueUrl, int maxReceiveCount) {
    }

    /**
     * Reads a queue's {@link Info} with one {@code GetQueueAttributes}.
     *
     * @param sqs the client
     * @param queueUrl the queue
     * @return what the queue says, or {@code null} if the queue does not exist
     */
    public static Info info(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> a;
        try {
            a = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN,
                    QueueAttributeName.REDRIVE_POLICY)).attributes();
        } catch (QueueDoesNotExistException e) {
            return null;
        }
        String arn = a.get(QueueAttributeName.QUEUE_ARN);
        if (arn == null) {
            throw new IllegalStateException("SQS returned no QueueArn for " + queueUrl);
        }
        String policy = a.get(QueueAttributeName.REDRIVE_POLICY);
        Matcher dlq = policy == null ? null : DLQ_ARN.matcher(policy);
        if (dlq == null || !dlq.find()) {
            return new Info(arn, null, 0);
        }
        Matcher max = MAX_RECEIVE.matcher(policy);
        String dlqName = dlq.group(1).substring(dlq.group(1).lastIndexOf(':') + 1);
        return new Info(arn, queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1) + dlqName,
                max.find() ? Integer.parseInt(max.group(1)) : 0);
    }
}
