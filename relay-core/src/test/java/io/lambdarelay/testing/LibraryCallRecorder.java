package io.lambdarelay.testing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * A global SDK interceptor (registered for every client in the test JVM) that records each AWS
 * operation the library itself makes, with the role that makes it, read off the call stack.
 * Calls made by tests or by relay-local's own pollers are not the library's and are ignored.
 */
public final class LibraryCallRecorder implements ExecutionInterceptor {
    /** Who makes a call, as IAM sees it. */
    public enum Role { START, WORKER, JANITOR, OPERATOR, START_OR_WORKER }

    /** An SQS operation on one queue, by the queue's name. */
    public record QueueCall(String operation, String queueName) {
    }

    private static final Map<Role, Set<String>> CALLS = new ConcurrentHashMap<>();
    private static final Map<Role, Set<QueueCall>> QUEUE_CALLS = new ConcurrentHashMap<>();

    public static Map<Role, Set<String>> calls() {
        return CALLS;
    }

    /** The SQS calls that named a queue (by {@code QueueUrl} or {@code QueueName}), per role. */
    public static Map<Role, Set<QueueCall>> queueCalls() {
        return QUEUE_CALLS;
    }

    /** The queue a request names, or {@code null}: the last segment of its URL, or its name. */
    private static String queueName(SdkRequest request) {
        String url = request.getValueForField("QueueUrl", String.class).orElse(null);
        if (url != null) {
            return url.substring(url.lastIndexOf('/') + 1);
        }
        return request.getValueForField("QueueName", String.class).orElse(null);
    }

    /** The class itself or one of its nested or lambda classes, not a test class named after it. */
    private static boolean isLibraryClass(String cls, String library) {
        return cls.equals(library) || cls.startsWith(library + "$");
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Role role = StackWalker.getInstance().walk(frames -> {
            boolean library = false;
            Role found = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                String cls = f.getClassName();
                if (cls.startsWith("io.lambdarelay.janitor.")) {
                    return Role.JANITOR;
                }
                if (isLibraryClass(cls, "io.lambdarelay.RelayControl")) {
                    return Role.OPERATOR;
                }
                if (isLibraryClass(cls, "io.lambdarelay.RelayWorker")
                        || isLibraryClass(cls, "io.lambdarelay.RecursionCheck")) {
                    return Role.WORKER;
                }
                if (isLibraryClass(cls, "io.lambdarelay.Relay")) {
                    library = true;
                    if ("setup".equals(f.getMethodName())) {
                        found = Role.START;
                    }
                }
            }
            return library ? (found != null ? found : Role.START_OR_WORKER) : null;
        });
        if (role == null) {
            return;
        }
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase(java.util.Locale.ROOT);
        String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        CALLS.computeIfAbsent(role, r -> ConcurrentHashMap.newKeySet()).add(service + ":" + op);
        if ("sqs".equals(service)) {
            String queue = queueName(context.request());
            if (queue != null) {
                QUEUE_CALLS.computeIfAbsent(role, r -> ConcurrentHashMap.newKeySet()).add(new QueueCall("sqs:" + op,
                        queue));
            }
        }
    }
}
