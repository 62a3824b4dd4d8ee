package io.lambdarelay.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;

/**
 * An event-source mapping driven one delivery at a time by the test, on the real embedded SQS:
 * receive a batch (with SQS's receive counts, and its redrive policy moving a message whose count
 * is exceeded), invoke the handler, delete what it acknowledged, and return the rest to the queue
 * at once, moving the test's clock on by the queue's visibility timeout, as if it had passed. A
 * handler that throws, or is "killed" with {@link Killed}, returns its whole batch. No waiting:
 * each step is one call. A queue that is gone has nothing to deliver.
 */
public final class SteppedMapping {
    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final RequestHandler<SQSEvent, SQSBatchResponse> handler;
    private final Supplier<Context> contexts;
    private final int batchSize;
    private final MutableClock clock;
    private final Duration visibilityTimeout;

    /** Thrown by a worker's unit to stand for Lambda stopping the invocation: no more of its code runs. */
    public static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        public Killed() {
            super("invocation killed at its timeout (emulated)");
        }
    }

    /**
     * What one delivery did.
     *
     * @param received the messages of the batch
     * @param failed the message ids reported as batch item failures (all of them if the invocation died)
     * @param killed whether the invocation died without returning
     */
    public record Delivery(List<Message> received, Set<String> failed, boolean killed) {
    }

    public SteppedMapping(SqsClient sqs, String queueUrl, RequestHandler<SQSEvent, SQSBatchResponse> handler,
            Supplier<Context> contexts, int batchSize, MutableClock clock) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        var attrs = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN,
                QueueAttributeName.VISIBILITY_TIMEOUT)).attributes();
        this.queueArn = attrs.get(QueueAttributeName.QUEUE_ARN);
        this.visibilityTimeout = Duration.ofSeconds(Long.parseLong(attrs.get(QueueAttributeName.VISIBILITY_TIMEOUT)));
        this.clock = clock;
        this.handler = handler;
        this.contexts = contexts;
        this.batchSize = batchSize;
    }

    /** {@return the next batch delivered to the handler, or null if the queue had nothing visible} */
    public Delivery deliver() {
        List<Message> msgs;
        try {
            msgs = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(Math.min(10, batchSize))
                    .visibilityTimeout(30).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        } catch (QueueDoesNotExistException e) {
            return null;
        }
        if (msgs.isEmpty()) {
            return null;
        }
        SQSEvent event = new SQSEvent();
        List<SQSMessage> records = new ArrayList<>();
        for (Message m : msgs) {
            records.add(record(m));
        }
        event.setRecords(records);
        Set<String> failed;
        boolean killed = false;
        try {
            SQSBatchResponse response = handler.handleRequest(event, contexts.get());
            failed = response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                    .collect(Collectors.toSet());
        } catch (Killed | RuntimeException e) {
            killed = e instanceof Killed;
            failed = msgs.stream().map(Message::messageId).collect(Collectors.toSet());
        }
        try {
            for (Message m : msgs) {
                if (failed.contains(m.messageId())) {
                    sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle())
                            .visibilityTimeout(0));
                } else {
                    try {
                        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                    } catch (ReceiptHandleIsInvalidException e) {
                        // The handler deleted it itself (a deadline hand-off). SQS accepts a second
                        // delete; ElasticMQ refuses it, and Lambda ignores what a delete answers.
                    }
                }
            }
        } catch (QueueDoesNotExistException e) {
            // the handler tore the relay down
        }
        if (!failed.isEmpty() && clock != null) {
            clock.advance(visibilityTimeout);
        }
        return new Delivery(msgs, failed, killed);
    }

    /** Delivers until the queue has nothing visible or {@code max} deliveries were made; returns how many. */
    public int deliverAll(int max) {
        int n = 0;
        while (n < max && deliver() != null) {
            n++;
        }
        return n;
    }

    private SQSMessage record(Message m) {
        SQSMessage r = new SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setMd5OfBody(m.md5OfBody());
        r.setEventSource("aws:sqs");
        r.setEventSourceArn(queueArn);
        r.setAwsRegion(queueArn.split(":")[3]);
        LinkedHashMap<String, String> attrs = new LinkedHashMap<>();
        m.attributesAsStrings().forEach(attrs::put);
        r.setAttributes(attrs);
        r.setMessageAttributes(new LinkedHashMap<>());
        return r;
    }
}
