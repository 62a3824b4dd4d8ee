package io.lambdarelay.local;

import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Creates queues for tests. */
final class TestQueues {

    record Queue(String url, String arn) {
    }

    private TestQueues() {
    }

    static Queue create(SqsClient sqs, String name, int visibilitySeconds) {
        return create(sqs, name, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilitySeconds)));
    }

    /** A queue whose redrive policy moves a message to {@code <name>-dlq} after maxReceiveCount receives. */
    static Queue createWithDlq(SqsClient sqs, String name, int visibilitySeconds, int maxReceiveCount) {
        Queue dlq = create(sqs, name + "-dlq", 60);
        return create(sqs, name, Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilitySeconds),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlq.arn() + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}"));
    }

    private static Queue create(SqsClient sqs, String name, Map<QueueAttributeName, String> attributes) {
        String url = sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        return new Queue(url, arn);
    }
}
