package io.lambdarelay.local.internal;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeNameForSends;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/**
 * Does on the SQS client what the Lambda runtime and X-Ray SDK do on AWS: a message sent from a
 * thread that runs an invocation carries the invocation's lineage, one hop further, in its
 * {@code AWSTraceHeader} system attribute. Also counts messages sent and received per queue.
 *
 * <p>Only the invocation's own thread is traced: sends from threads the handler starts itself
 * carry no lineage. Thread-safe.
 */
public final class SqsTracingInterceptor implements ExecutionInterceptor {

    private final ThreadLocal<ActiveInvocation> current;
    private final StatsRecorder stats;

    public SqsTracingInterceptor(ThreadLocal<ActiveInvocation> current, StatsRecorder stats) {
        this.current = current;
        this.stats = stats;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes executionAttributes) {
        SdkRequest request = context.request();
        ActiveInvocation invocation = current.get();
        if (invocation == null) {
            return request;
        }
        if (request instanceof SendMessageRequest) {
            SendMessageRequest send = (SendMessageRequest) request;
            return send.toBuilder()
                    .messageSystemAttributes(traced(send.messageSystemAttributes(), invocation))
                    .build();
        }
        if (request instanceof SendMessageBatchRequest) {
            SendMessageBatchRequest batch = (SendMessageBatchRequest) request;
            return batch.toBuilder()
                    .entries(batch.entries().stream().map(e -> traced(e, invocation)).toList())
                    .build();
        }
        return request;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes executionAttributes) {
        SdkRequest request = context.request();
        Object response = context.response();
        if (request instanceof SendMessageRequest && response instanceof SendMessageResponse) {
            stats.sent(QueueNames.fromUrl(((SendMessageRequest) request).queueUrl()), 1);
        } else if (request instanceof SendMessageBatchRequest && response instanceof SendMessageBatchResponse) {
            int ok = ((SendMessageBatchResponse) response).successful().size();
            stats.sent(QueueNames.fromUrl(((SendMessageBatchRequest) request).queueUrl()), ok);
        } else if (request instanceof ReceiveMessageRequest && response instanceof ReceiveMessageResponse) {
            int count = ((ReceiveMessageResponse) response).messages().size();
            if (count > 0) {
                stats.received(QueueNames.fromUrl(((ReceiveMessageRequest) request).queueUrl()), count);
            }
        }
    }

    private static SendMessageBatchRequestEntry traced(SendMessageBatchRequestEntry entry,
            ActiveInvocation invocation) {
        return entry.toBuilder()
                .messageSystemAttributes(traced(entry.messageSystemAttributes(), invocation))
                .build();
    }

    private static Map<MessageSystemAttributeNameForSends, MessageSystemAttributeValue> traced(
            Map<MessageSystemAttributeNameForSends, MessageSystemAttributeValue> attributes,
            ActiveInvocation invocation) {
        Map<MessageSystemAttributeNameForSends, MessageSystemAttributeValue> traced = new HashMap<>(attributes);
        MessageSystemAttributeValue existing = attributes.get(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER);
        String header = invocation.outgoingTraceHeader(existing == null ? null : existing.stringValue());
        traced.put(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER,
                MessageSystemAttributeValue.builder().dataType("String").stringValue(header).build());
        return traced;
    }
}
