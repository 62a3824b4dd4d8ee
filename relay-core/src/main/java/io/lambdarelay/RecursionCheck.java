package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.internal.Arn;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;

/**
 * Reads the worker function's recursion config once per worker (so once per execution
 * environment) and warns, clearly and once, when it is not {@code Allow}: Lambda then stops the
 * relay after about 16 hops. {@code Relay.setup} sets {@code Allow}, but a relay the Node package
 * started, or one set up with {@code manageRecursion(false)}, does not. The look-up runs on a
 * daemon thread of its own, so the first invocation waits for no extra call. Thread-safe.
 */
final class RecursionCheck {
    private static final Logger LOG = LoggerFactory.getLogger(RecursionCheck.class);

    private final AtomicBoolean done = new AtomicBoolean();

    /**
     * Starts checking the function the context names, the first time only; never throws.
     *
     * @param context the invocation's context, or null outside Lambda
     * @param clients the relay's clients
     */
    void once(Context context, Clients clients) {
        String arn = context == null ? null : context.getInvokedFunctionArn();
        if (arn == null || arn.isEmpty() || !done.compareAndSet(false, true)) {
            return;
        }
        String function = unqualified(arn);
        Thread t = new Thread(() -> check(function, clients), "relay-recursion-check");
        t.setDaemon(true);
        t.start();
    }

    private static void check(String function, Clients clients) {
        try {
            RecursiveLoop loop = clients.lambda().getFunctionRecursionConfig(r -> r.functionName(function))
                    .recursiveLoop();
            if (loop != RecursiveLoop.ALLOW) {
                LOG.warn("worker function {} has recursion config {}: Lambda stops a relay after about 16 hops through "
                        + "it, and the packet ends in the dead-letter queue. Relay.setup sets Allow, but relays started "
                        + "elsewhere (the Node package, manageRecursion(false)) do not. Set RecursiveLoop: Allow on the "
                        + "function, or run: aws lambda put-function-recursion-config --function-name {} "
                        + "--recursive-loop Allow", function, loop, function);
            }
        } catch (SdkException e) {
            LOG.info("could not read the recursion config of worker function {} ({}); give the worker role "
                    + "lambda:GetFunctionRecursionConfig, and make sure it is Allow", function,
                    e.getClass().getSimpleName());
        }
    }

    /** The function's ARN without an alias or version: the recursion config is the function's. */
    static String unqualified(String arn) {
        try {
            return Arn.parse(arn).unqualified();
        } catch (IllegalArgumentException e) {
            return arn; // not an ARN: Lambda resolves the name as it is
        }
    }
}
