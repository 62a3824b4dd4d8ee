package io.lambdarelay.local;

import java.time.Duration;
import java.util.Objects;

/**
 * A function registered with {@link LocalAws}: what {@code GetFunctionConfiguration} reports for
 * it. Immutable and thread-safe.
 */
public final class LocalFunction {

    private final String name;
    private final String arn;
    private final Duration timeout;
    private final int memorySizeMb;

    LocalFunction(String name, String arn, Duration timeout, int memorySizeMb) {
        this.name = name;
        this.arn = arn;
        this.timeout = timeout;
        this.memorySizeMb = memorySizeMb;
    }

    /** {@return the function's name} */
    public String name() {
        return name;
    }

    /** {@return the function's ARN, {@code arn:aws:lambda:<region>:<account>:function:<name>}} */
    public String arn() {
        return arn;
    }

    /** {@return the timeout after which an invocation is interrupted and fails} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return the memory size reported to the function's context} */
    public int memorySizeMb() {
        return memorySizeMb;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LocalFunction)) {
            return false;
        }
        LocalFunction f = (LocalFunction) o;
        return memorySizeMb == f.memorySizeMb && name.equals(f.name) && arn.equals(f.arn)
                && timeout.equals(f.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, arn, timeout, memorySizeMb);
    }

    @Override
    public String toString() {
        return "LocalFunction{arn=" + arn + ", timeout=" + timeout + ", memorySizeMb=" + memorySizeMb + "}";
    }
}
