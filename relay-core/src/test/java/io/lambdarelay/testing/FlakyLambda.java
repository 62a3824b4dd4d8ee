package io.lambdarelay.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A real LambdaClient (LocalAws's, or {@code RecordingLambda}) with faults in front of it: a
 * chosen operation takes effect and then throws, as when its response is lost on the way back.
 */
public final class FlakyLambda {
    private final LambdaClient client;
    private final Map<String, AtomicInteger> lostResponses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    public FlakyLambda(LambdaClient real) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls back here
            }
            if ("close".equals(method.getName())) {
                return null;
            }
            String operation = Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
            calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            AtomicInteger lose = lostResponses.get(operation);
            if (lose != null && lose.getAndDecrement() > 0) {
                throw SdkClientException.create("injected: the response of " + operation + " was lost after it took "
                        + "effect");
            }
            return result;
        };
        this.client = (LambdaClient) Proxy.newProxyInstance(LambdaClient.class.getClassLoader(),
                new Class<?>[] {LambdaClient.class}, h);
    }

    /** The client to give the code under test. */
    public LambdaClient client() {
        return client;
    }

    /** Makes the next {@code times} calls of an operation (e.g. "CreateEventSourceMapping") take effect and then throw. */
    public void loseResponses(String operation, int times) {
        lostResponses.put(operation, new AtomicInteger(times));
    }

    /** How many times an operation was called. */
    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }
}
