package io.lambdarelay.testing;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A real LambdaClient (LocalAws's, or {@code RecordingLambda}) with faults in front of it: a
 * chosen operation takes effect and then throws, as when its response is lost on the way back.
 */
public final class FlakyLambda {
    private final LambdaClient client;
    private final LostResponses lostResponses = new LostResponses();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    public FlakyLambda(LambdaClient real) {
        this.client = LostResponses.proxy(LambdaClient.class, (method, args, operation) -> {
            calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            lostResponses.afterCall(operation);
            return result;
        });
    }

    /** The client to give the code under test. */
    public LambdaClient client() {
        return client;
    }

    /** Makes the next {@code times} calls of an operation (e.g. "CreateEventSourceMapping") take effect and then throw. */
    public void loseResponses(String operation, int times) {
        lostResponses.lose(operation, times);
    }

    /** How many times an operation was called. */
    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }
}
