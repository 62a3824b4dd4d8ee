package io.lambdarelay.internal;

import java.util.List;
import java.util.function.BiFunction;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceInUseException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The one tear-down sequence, shared by {@code Relay.tearDown} and the janitor: the event-source
 * mappings first (so nothing polls a queue that goes), then the relay queue, then the dead-letter
 * queue, which is kept if it holds messages. A resource already gone is not an error, so the
 * sequence can run twice, concurrently, or on a half-deleted relay.
 */
public final class RelayTeardown {
    private RelayTeardown() {
    }

    /**
     * What a tear-down did.
     *
     * @param mappingDeleted whether it deleted a mapping (false: all were gone already)
     * @param queueDeleted whether it deleted the relay queue
     * @param dlqDeleted whether it deleted the dead-letter queue
     * @param dlqMessages what the dead-letter queue held; a queue holding any is kept
     */
    public record Result(boolean mappingDeleted, boolean queueDeleted, boolean dlqDeleted, long dlqMessages) {
    }

    /**
     * Runs the sequence.
     *
     * @param sqs the SQS client
     * @param lambda the Lambda client
     * @param mappingUuids the mappings that read the queue
     * @param queueUrl the relay queue
     * @param dlqUrl its dead-letter queue, or {@code null} if it has none
     * @param failure turns an SDK failure of a step (named in a few words) into the exception to throw
     * @return what was deleted and kept
     */
    public static Result run(SqsClient sqs, LambdaClient lambda,
            List<String> mappingUuids, String queueUrl, String dlqUrl,
            BiFunction<String, SdkException, RuntimeException> failure) {
        boolean mappingDeleted = false;
        for (String uuid : mappingUuids) {
            try {
                lambda.deleteEventSourceMapping(r -> r.uuid(uuid));
                mappingDeleted = true;
            } catch (ResourceNotFoundException | ResourceInUseException e) {
                // Gone already, or being deleted by another call.
            } catch (SdkException e) {
                throw failure.apply("delete event-source mapping " + uuid, e);
            }
        }
        boolean queueDeleted = delete(sqs, queueUrl, failure);
        boolean dlqDeleted = false;
        long dlqMessages = 0;
        if (dlqUrl != null) {
            try {
                dlqMessages = Queues.countMessages(sqs, dlqUrl);
            } catch (SdkException | NumberFormatException e) {
                throw failure.apply("count the messages of queue " + dlqUrl,
                        e instanceof SdkException ? (SdkException) e : SdkException.create(e.getMessage(), e));
            }
            if (dlqMessages == 0) {
                dlqDeleted = delete(sqs, dlqUrl, failure);
            }
            dlqMessages = Math.max(0, dlqMessages);
        }
        return new Result(mappingDeleted, queueDeleted, dlqDeleted, dlqMessages);
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
