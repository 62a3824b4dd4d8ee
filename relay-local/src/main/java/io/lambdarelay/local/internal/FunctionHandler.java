package io.lambdarelay.local.internal;

import com.amazonaws.services.lambda.runtime.Context;

/** A function's code as the runtime sees it: JSON payload in, JSON (or raw bytes) out. */
@FunctionalInterface
public interface FunctionHandler {

    /**
     * Runs one invocation.
     *
     * @param payload the event as Lambda delivers it
     * @param context the invocation's context
     * @return the response payload, empty for none
     * @throws Exception whatever the function's code throws; it becomes a function error
     */
    byte[] handle(byte[] payload, Context context) throws Exception;
}
