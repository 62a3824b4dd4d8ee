package io.lambdarelay.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A real SqsClient with the documented SQS behaviours that ElasticMQ does not show injected in
 * front of it; every call not touched goes to the real client.
 * <ul>
 *   <li>Lagging counts: a message sent less than a lag ago is not in the queue's approximate
 *       counts yet (SQS: the counts may lag by up to a minute).</li>
 *   <li>Empty short polls: a ReceiveMessage without a wait time returns nothing (SQS: a short poll
 *       samples a subset of servers and may come back empty while the queue holds messages).</li>
 *   <li>Lost responses: a chosen operation takes effect and then throws, as when the response is
 *       lost on the way back.</li>
 *   <li>Failures: sends, to all queues or one, throw; batch entries whose body contains a marker
 *       fail once or always; a chosen batch call fails whole; any operation can be made to throw.</li>
 * </ul>
 */
public final class FlakySqs {
    private final SqsClient real;
    private final SqsClient client;
    private final Set<String> failOnceMarkers = ConcurrentHashMap.newKeySet();
    private final Set<String> refuseMarkers = ConcurrentHashMap.newKeySet();
    private final Map<String, RuntimeException> queueFailures = new ConcurrentHashMap<>();
    private final LostResponses lostResponses = new LostResponses();
    private final Map<String, RuntimeException> failingOperations = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> sentAt = new ConcurrentHashMap<>();
    private volatile int failCallNumber = -1;
    private final AtomicInteger throttledBatchCalls = new AtomicInteger();
    private volatile RuntimeException sendFailure;
    private volatile Duration countLag;
    private volatile Clock lagClock;
    private volatile boolean emptyShortPolls;
    public final AtomicInteger batchCalls = new AtomicInteger();
    public final AtomicInteger sendCalls = new AtomicInteger();
    public final AtomicInteger shortPolls = new AtomicInteger();

    public FlakySqs(SqsClient real) {
        this.real = real;
        this.client = LostResponses.proxy(SqsClient.class, (method, args, operation) -> {
            RuntimeException failure = failingOperations.get(operation);
            if (failure != null) {
                throw failure;
            }
            Object result = dispatch(method, args);
            lostResponses.afterCall(operation);
            return result;
        });
    }

    private Object dispatch(Method method, Object[] args) throws Throwable {
        Object request = args == null || args.length == 0 ? null : args[0];
        if (request instanceof SendMessageRequest r) {
            return send(r);
        }
        if (request instanceof SendMessageBatchRequest r) {
            return sendBatch(r);
        }
        if (request instanceof GetQueueAttributesRequest r) {
            return attributes(r);
        }
        if (request instanceof ReceiveMessageRequest r) {
            return receive(r);
        }
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The client to give the code under test. */
    public SqsClient client() {
        return client;
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

    /** Makes the next {@code count} SendMessageBatch calls throw SQS's throttling error, without effect. */
    public void throttleBatchCalls(int count) {
        throttledBatchCalls.set(count);
    }

    /** Makes every SendMessage throw this until cleared with null. */
    public void failSends(RuntimeException e) {
        sendFailure = e;
    }

    /** Makes every SendMessage and SendMessageBatch to one queue throw this until cleared with null. */
    public void failSendsTo(String queueUrl, RuntimeException e) {
        if (e == null) {
            queueFailures.remove(queueUrl);
        } else {
            queueFailures.put(queueUrl, e);
        }
    }

    /** Makes every call of an operation (e.g. "DeleteQueue") throw this, without effect, until cleared with null. */
    public void failOperation(String operation, RuntimeException e) {
        if (e == null) {
            failingOperations.remove(operation);
        } else {
            failingOperations.put(operation, e);
        }
    }

    /** Makes the next {@code times} calls of an operation (e.g. "DeleteQueue") take effect and then throw. */
    public void loseResponses(String operation, int times) {
        lostResponses.lose(operation, times);
    }

    /** Leaves messages sent less than {@code lag} ago (by {@code clock}) out of the approximate counts. */
    public void lagCounts(Duration lag, Clock clock) {
        this.lagClock = clock;
        this.countLag = lag;
    }

    /** Makes every ReceiveMessage without a wait time return no messages. */
    public void emptyShortPolls(boolean on) {
        emptyShortPolls = on;
    }

    private void sent(String queueUrl, int n) {
        Clock c = lagClock;
        if (c != null) {
            List<Long> times = sentAt.computeIfAbsent(queueUrl, k -> new CopyOnWriteArrayList<>());
            for (int i = 0; i < n; i++) {
                times.add(c.millis());
            }
        }
    }

    private Object send(SendMessageRequest request) {
        sendCalls.incrementAndGet();
        RuntimeException e = sendFailure != null ? sendFailure : queueFailures.get(request.queueUrl());
        if (e != null) {
            throw e;
        }
        var response = real.sendMessage(request);
        sent(request.queueUrl(), 1);
        return response;
    }

    private GetQueueAttributesResponse attributes(GetQueueAttributesRequest request) {
        GetQueueAttributesResponse response = real.getQueueAttributes(request);
        Duration lag = countLag;
        List<Long> times = sentAt.get(request.queueUrl());
        String visible = response.attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        if (lag == null || times == null || visible == null) {
            return response;
        }
        long now = lagClock.millis();
        long recent = times.stream().filter(t -> now - t < lag.toMillis()).count();
        Map<QueueAttributeName, String> attrs = new HashMap<>(response.attributes());
        attrs.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                Long.toString(Math.max(0, Long.parseLong(visible) - recent)));
        return response.toBuilder().attributes(attrs).build();
    }

    private ReceiveMessageResponse receive(ReceiveMessageRequest request) {
        boolean shortPoll = request.waitTimeSeconds() == null || request.waitTimeSeconds() == 0;
        if (shortPoll) {
            shortPolls.incrementAndGet();
            if (emptyShortPolls) {
                return ReceiveMessageResponse.builder().messages(List.of()).build();
            }
        }
        return real.receiveMessage(request);
    }

    private SendMessageBatchResponse sendBatch(SendMessageBatchRequest request) {
        int call = batchCalls.incrementAndGet();
        if (throttledBatchCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw SqsException.builder().message("Rate exceeded").statusCode(400).awsErrorDetails(
                    software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode("RequestThrottled")
                            .errorMessage("Rate exceeded").build()).build();
        }
        if (call == failCallNumber) {
            throw SqsException.builder().message("injected 500").statusCode(500).build();
        }
        RuntimeException e = queueFailures.get(request.queueUrl());
        if (e != null) {
            throw e;
        }
        List<SendMessageBatchRequestEntry> pass = new ArrayList<>();
        List<BatchResultErrorEntry> failed = new ArrayList<>();
        for (SendMessageBatchRequestEntry entry : request.entries()) {
            String hit = failOnceMarkers.stream().filter(m -> entry.messageBody().contains(m)).findFirst().orElse(null);
            if (hit != null) {
                failOnceMarkers.remove(hit);
                failed.add(BatchResultErrorEntry.builder().id(entry.id()).senderFault(false).code("InternalError")
                        .build());
            } else if (refuseMarkers.stream().anyMatch(m -> entry.messageBody().contains(m))) {
                failed.add(BatchResultErrorEntry.builder().id(entry.id()).senderFault(true)
                        .code("InvalidParameterValue").build());
            } else {
                pass.add(entry);
            }
        }
        SendMessageBatchResponse sent = pass.isEmpty() ? SendMessageBatchResponse.builder().build()
                : real.sendMessageBatch(request.toBuilder().entries(pass).build());
        sent(request.queueUrl(), sent.successful().size());
        List<BatchResultErrorEntry> allFailed = new ArrayList<>(sent.failed());
        allFailed.addAll(failed);
        return sent.toBuilder().failed(allFailed).build();
    }
}
