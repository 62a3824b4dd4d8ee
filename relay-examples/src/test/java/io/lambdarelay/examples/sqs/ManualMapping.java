package io.lambdarelay.examples.sqs;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.RecordingLambda;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Plays an event-source mapping by hand against any SQS: receives one message at a time from the
 * relay queue, hands it to the worker as an {@link SQSEvent}, and deletes it unless the worker
 * reported it failed, until the relay has deleted its mapping (tear-down). Single-threaded, so it
 * needs no deployed function; the worker runs in this JVM against the real queue.
 */
final class ManualMapping {
    private ManualMapping() {
    }

    /** Runs the worker on the queue until the stub's mappings are gone; returns the invocations. */
    static int drive(SqsClient sqs, RecordingLambda lambda, RelayWorker worker, String queueUrl, String queueArn,
            String function, Duration timeout, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        int invocations = 0;
        while (!lambda.mappings().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("relay did not finish within " + maxWait + " (" + invocations
                        + " invocations)");
            }
            List<Message> msgs;
            try {
                msgs = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            } catch (QueueDoesNotExistException e) {
                break;
            }
            for (Message m : msgs) {
                SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
                record.setMessageId(m.messageId());
                record.setReceiptHandle(m.receiptHandle());
                record.setBody(m.body());
                record.setEventSource("aws:sqs");
                record.setEventSourceArn(queueArn);
                record.setAttributes(m.attributesAsStrings());
                SQSEvent event = new SQSEvent();
                event.setRecords(List.of(record));
                SQSBatchResponse response = worker.handleRequest(event, LocalContext.of(function, timeout));
                invocations++;
                Set<String> failed = response.getBatchItemFailures().stream()
                        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
                if (!failed.contains(m.messageId())) {
                    try {
                        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                    } catch (QueueDoesNotExistException e) {
                        // the worker tore the relay down with this message
                    }
                }
            }
        }
        return invocations;
    }
}
