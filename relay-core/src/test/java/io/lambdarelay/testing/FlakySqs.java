package io.lambdarelay.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A real SqsClient with faults injected into SendMessageBatch: entries whose body contains a
 * marker fail (once, or always as sender faults), or a whole call fails.
 */
public final class FlakySqs implements SqsClient {
    private final SqsClient real;
    private final Set<String> failOnceMarkers = ConcurrentHashMap.newKeySet();
    private final Set<String> refuseMarkers = ConcurrentHashMap.newKeySet();
    private volatile int failCallNumber = -1;
    public final AtomicInteger batchCalls = new AtomicInteger();

    public FlakySqs(SqsClient real) {
        this.real = real;
    }

    public void failOnce(String marker) {
        failOnceMarkers.add(marker);
    }

    public void refuse(String marker) {
        refuseMarkers.add(marker);
    }

    public void failCall(int callNumber) {
        failCallNumber = callNumber;
    }

    @Override
    public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
        int call = batchCalls.incrementAndGet();
        if (call == failCallNumber) {
            throw SqsException.builder().message("injected 500").statusCode(500).build();
        }
        List<SendMessageBatchRequestEntry> pass = new ArrayList<>();
        List<BatchResultErrorEntry> failed = new ArrayList<>();
        for (SendMessageBatchRequestEntry e : request.entries()) {
            String hit = failOnceMarkers.stream().filter(m -> e.messageBody().contains(m)).findFirst().orElse(null);
            if (hit != null) {
                failOnceMarkers.remove(hit);
                failed.add(BatchResultErrorEntry.builder().id(e.id()).senderFault(false).code("InternalError").build());
            } else if (refuseMarkers.stream().anyMatch(m -> e.messageBody().contains(m))) {
                failed.add(BatchResultErrorEntry.builder().id(e.id()).senderFault(true).code("InvalidParameterValue").build());
            } else {
                pass.add(e);
            }
        }
        SendMessageBatchResponse sent = pass.isEmpty() ? SendMessageBatchResponse.builder().build()
                : real.sendMessageBatch(request.toBuilder().entries(pass).build());
        List<BatchResultErrorEntry> allFailed = new ArrayList<>(sent.failed());
        allFailed.addAll(failed);
        return sent.toBuilder().failed(allFailed).build();
    }

    @Override
    public software.amazon.awssdk.services.sqs.model.SendMessageResponse sendMessage(
            software.amazon.awssdk.services.sqs.model.SendMessageRequest request) {
        return real.sendMessage(request);
    }

    @Override
    public software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse getQueueAttributes(
            software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest request) {
        return real.getQueueAttributes(request);
    }

    @Override
    public String serviceName() {
        return real.serviceName();
    }

    @Override
    public void close() {
    }
}
