package io.lambdarelay.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceInUseException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The one tear-down sequence, shared by {@code Relay.tearDown} and the janitor. Everything it
 * deletes is found from the relay queue itself, never from a packet: the mappings are those that
 * read the queue's ARN, the dead-letter queue is the one its redrive policy names.
 * <ol>
 *   <li>Tag the queue {@value #TAG_ENDING} with the time: from here on the relay is over, and if
 *       the sequence stops part-way (the mapping gone, the queue not), the janitor finishes it.</li>
 *   <li>Delete the mappings (so nothing polls a queue that goes).</li>
 *   <li>Delete the relay queue, with whatever it still holds.</li>
 *   <li>Delete the dead-letter queue if it is empty, unless the caller knows it holds packets
 *       (SQS's counts lag, so a packet dead-lettered a moment ago may not be counted yet).</li>
 * </ol>
 * A resource already gone is not an error, so the sequence can run twice, concurrently, or on a
 * half-deleted relay.
 */
public final class RelayTeardown {
    /** Tag that marks a relay whose tear-down has begun. */
    public static final String TAG_ENDING = "lambda-relay:ending";

    private RelayTeardown() {
    }

    /**
     * What a tear-down did.
     *
     * @param mappingDeleted whether it deleted a mapping (false: all were gone already)
     * @param queueDeleted whether it deleted the relay queue
     * @param dlqDeleted whether it deleted the dead-letter queue
     * @param dlqKept whether the dead-letter queue exists and was kept
     * @param dlqMessages what the dead-letter queue held by SQS's count; a queue holding any is kept
     * @param dlqUrl the dead-letter queue, or {@code null} if the relay has none
     */
    public record Result(boolean mappingDeleted, boolean queueDeleted, boolean dlqDeleted, boolean dlqKept,
            long dlqMessages, String dlqUrl) {
    }

    /**
     * Runs the sequence.
     *
     * @param sqs the SQS client
     * @param lambda the Lambda client
     * @param queueUrl the relay queue
     * @param mappingHint a mapping the caller believes reads the queue, or {@code null}: used only
     *     when the queue is gone (so its mappings cannot be listed by its ARN), and deleted only if
     *     Lambda says it reads a queue of that name
     * @param dlqSuffix the suffix of dead-letter queue names, to find the dead-letter queue of a
     *     relay queue that is gone already or has no redrive policy
     * @param keepDlq keep the dead-letter queue even if SQS counts it empty
     * @param now the time for the {@value #TAG_ENDING} tag
     * @param failure turns an SDK failure of a step (named in a few words) into the exception to throw
     * @return what was deleted and kept
     */
    public static Result run(SqsClient sqs, LambdaClient lambda, String queueUrl, String mappingHint, String dlqSuffix,
            boolean keepDlq, Instant now, BiFunction<String, SdkException, RuntimeException> failure) {
        Queues.Info info;
        try {
            info = Queues.info(sqs, queueUrl);
        } catch (SdkException e) {
            throw failure.apply("read the attributes of queue " + queueUrl, e);
        }
        boolean mappingDeleted = false;
        String dlqUrl = info == null || info.deadLetterQueueUrl() == null ? queueUrl + dlqSuffix
                : info.deadLetterQueueUrl();
        if (info == null) {
            mappingDeleted = deleteIfItReads(lambda, mappingHint, queueUrl.substring(queueUrl.lastIndexOf('/') + 1),
                    failure);
        } else {
            try {
                sqs.tagQueue(r -> r.queueUrl(queueUrl).tags(Map.of(TAG_ENDING, now.toString())));
            } catch (QueueDoesNotExistException e) {
                // Deleted by a concurrent tear-down.
            } catch (SdkException e) {
                throw failure.apply("tag queue " + queueUrl + " as ending", e);
            }
            for (String uuid : mappings(lambda, info.arn(), failure)) {
                try {
                    lambda.deleteEventSourceMapping(r -> r.uuid(uuid));
                    mappingDeleted = true;
                } catch (ResourceNotFoundException | ResourceInUseException e) {
                    // Gone already, or being deleted by another call.
                } catch (SdkException e) {
                    throw failure.apply("delete event-source mapping " + uuid, e);
                }
            }
        }
        boolean queueDeleted = info != null && delete(sqs, queueUrl, failure);
        boolean dlqDeleted = false;
        boolean dlqKept = false;
        long dlqMessages = 0;
        if (dlqUrl != null) {
            try {
                dlqMessages = Queues.countMessages(sqs, dlqUrl);
            } catch (SdkException | NumberFormatException e) {
                throw failure.apply("count the messages of queue " + dlqUrl,
                        e instanceof SdkException ? (SdkException) e : SdkException.create(e.getMessage(), e));
            }
            if (dlqMessages == 0 && !keepDlq) {
                dlqDeleted = delete(sqs, dlqUrl, failure);
            }
            dlqKept = dlqMessages > 0 || dlqMessages == 0 && keepDlq;
            if (dlqMessages < 0) {
                dlqUrl = null; // there is no dead-letter queue
            }
            dlqMessages = Math.max(0, dlqMessages);
        }
        return new Result(mappingDeleted, queueDeleted, dlqDeleted, dlqKept, dlqMessages, dlqUrl);
    }

    private static boolean deleteIfItReads(LambdaClient lambda, String uuid, String queueName,
            BiFunction<String, SdkException, RuntimeException> failure) {
        if (uuid == null || uuid.isEmpty()) {
            return false;
        }
        try {
            String source = lambda.getEventSourceMapping(r -> r.uuid(uuid)).eventSourceArn();
            if (source == null || !source.endsWith(":" + queueName)) {
                return false; // not this relay's mapping: leave it alone
            }
            lambda.deleteEventSourceMapping(r -> r.uuid(uuid));
            return true;
        } catch (ResourceNotFoundException | ResourceInUseException e) {
            return false;
        } catch (SdkException e) {
            throw failure.apply("delete event-source mapping " + uuid, e);
        }
    }

    /** The UUIDs of the mappings that read the queue. */
    public static List<String> mappings(LambdaClient lambda, String queueArn,
            BiFunction<String, SdkException, RuntimeException> failure) {
        List<String> uuids = new ArrayList<>();
        try {
            for (EventSourceMappingConfiguration m : lambda.listEventSourceMappingsPaginator(r -> r
                    .eventSourceArn(queueArn)).eventSourceMappings()) {
                uuids.add(m.uuid());
            }
        } catch (SdkException e) {
            throw failure.apply("list the event-source mappings of queue " + queueArn, e);
        }
        return uuids;
    }

    private static boolean delete(SqsClient sqs, String queueUrl,
            BiFunction<String, SdkException, RuntimeException> failure) {
        try {
            return Queues.delete(sqs, queueUrl);
        } catch (SdkException e) {
            throw failure.apply("delete queue " + queueUrl, e);
        }
    }
}
