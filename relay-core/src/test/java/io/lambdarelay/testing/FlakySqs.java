package io.lambdarelay.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A real SqsClient with faults injected into SendMessage and SendMessageBatch; every other call
 * goes to the real client. Batch entries whose body contains a marker fail once, or always as
 * sender faults; a chosen batch call fails whole; sends can be made to throw any exception.
 */
public final class FlakySqs {
    private final SqsClient real;
    private final SqsClient client;
    private final Set<String> failOnceMarkers = ConcurrentHashMap.newKeySet();
    private final Set<String> refuseMarkers = ConcurrentHashMap.newKeySet();
    private volatile int failCallNumber = -1;
    private volatile RuntimeException sendFailure;
    public final AtomicInteger batchCalls = new AtomicInteger();
    public final AtomicInteger sendCalls = new AtomicInteger();

    public FlakySqs(SqsClient real) {
        this.real = real;
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls back here
            }
            if ("sendMessage".equals(method.getName()) && args[0] instanceof SendMessageRequest) {
                return send((SendMessageRequest) args[0]);
            }
            if ("sendMessageBatch".equals(method.getName()) && args[0] instanceof SendMessageBatchRequest) {
                return sendBatch((SendMessageBatchRequest) args[0]);
            }
            if ("close".equals(method.getName())) {
                return null;
            }
            return invoke(method, args);
        };
        this.client = (SqsClient) Proxy.newProxyInstance(SqsClient.class.getClassLoader(),
                new Class<?>[] {SqsClient.class}, h);
    }

    private Object invoke(Method method, Object[] args) throws Throwable {
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

    /** Makes every SendMessage throw this until cleared with null. */
    public void failSends(RuntimeException e) {
        sendFailure = e;
    }

    private Object send(SendMessageRequest request) {
        sendCalls.incrementAndGet();
        RuntimeException e = sendFailure;
        if (e != null) {
            throw e;
        }
        return real.sendMessage(request);
    }

    private SendMessageBatchResponse sendBatch(SendMessageBatchRequest request) {
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
}
