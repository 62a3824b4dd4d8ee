package io.lambdarelay.local.internal;

import java.time.Duration;
import java.util.Objects;

/** A function registered in-process. Thread-safe: only the recursion setting and the code change. */
public final class RegisteredFunction {

    /** Lambda's default recursion setting. */
    public static final String TERMINATE = "Terminate";
    /** The recursion setting that lets loops run. */
    public static final String ALLOW = "Allow";

    private final String name;
    private final String arn;
    private final Duration timeout;
    private final int memorySizeMb;
    private volatile String handlerName;
    private volatile FunctionHandler handler;
    private final String lineageHash;
    private volatile String recursiveLoop = TERMINATE;

    public RegisteredFunction(String name, String arn, Duration timeout, int memorySizeMb, String handlerName,
            FunctionHandler handler) {
        this.name = Objects.requireNonNull(name, "name");
        this.arn = Objects.requireNonNull(arn, "arn");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.memorySizeMb = memorySizeMb;
        this.handlerName = handlerName;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.lineageHash = Lineage.functionHash(arn);
    }

    public String name() {
        return name;
    }

    public String arn() {
        return arn;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The timeout in whole seconds, rounded up, as Lambda's API reports it. */
    public int timeoutSeconds() {
        long seconds = timeout.getSeconds() + (timeout.getNano() > 0 ? 1 : 0);
        return (int) Math.max(1, seconds);
    }

    public int memorySizeMb() {
        return memorySizeMb;
    }

    public String handlerName() {
        return handlerName;
    }

    public FunctionHandler handler() {
        return handler;
    }

    /** Replaces the code: invocations that start from now on run the new handler. */
    void code(String newHandlerName, FunctionHandler newHandler) {
        this.handlerName = newHandlerName;
        this.handler = Objects.requireNonNull(newHandler, "handler");
    }

    public String lineageHash() {
        return lineageHash;
    }

    public String recursiveLoop() {
        return recursiveLoop;
    }

    void recursiveLoop(String value) {
        this.recursiveLoop = value;
    }
}
