package io.lambdarelay.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * What the faulty clients share: a proxy of an SDK client interface that routes every API call
 * through one handler, and which calls take effect and then lose their response.
 */
final class LostResponses {
    /** Handles one API call of a proxied client. */
    interface Call {
        Object handle(Method method, Object[] args, String operation) throws Throwable;
    }

    /**
     * A proxy of {@code type} whose API calls go to {@code call}; the SDK's default
     * {@code Consumer<Builder>} methods build their request and call back, and {@code close} does
     * nothing.
     */
    static <T> T proxy(Class<T> type, Call call) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls back here
            }
            if ("close".equals(method.getName())) {
                return null;
            }
            return call.handle(method, args, operation(method));
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }
    private final Map<String, AtomicInteger> remaining = new ConcurrentHashMap<>();

    /** The API operation a client method calls, e.g. "DeleteQueue" for {@code deleteQueue}. */
    static String operation(Method method) {
        return Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
    }

    void lose(String operation, int times) {
        remaining.put(operation, new AtomicInteger(times));
    }

    /** Called after a call took effect: throws as a lost response would, if that call's response is to be lost. */
    void afterCall(String operation) {
        AtomicInteger lose = remaining.get(operation);
        if (lose != null && lose.getAndDecrement() > 0) {
            throw SdkClientException.create("injected: the response of " + operation + " was lost after it took "
                    + "effect");
        }
    }
}
