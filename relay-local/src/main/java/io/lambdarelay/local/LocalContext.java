package io.lambdarelay.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import io.lambdarelay.local.internal.Slf4jLambdaLogger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An emulated Lambda {@link Context}: its remaining time counts down from the function's timeout
 * on a {@link Clock}, and its logger writes to slf4j (or to the logger you set).
 *
 * <p>{@link LocalAws} passes one to every invocation; build one yourself to call a handler
 * directly, e.g. the function that starts a relay:
 * <pre>{@code
 * Context ctx = LocalContext.builder().functionName("starter").timeout(Duration.ofSeconds(30)).build();
 * }</pre>
 * With a fake {@code Clock} a test moves time instead of sleeping.
 *
 * <p>Immutable and thread-safe.
 */
public final class LocalContext implements Context {

    /** Lambda's default function timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    /** The memory size reported when none is set. */
    public static final int DEFAULT_MEMORY_MB = 512;

    private final String functionName;
    private final String functionArn;
    private final String awsRequestId;
    private final Duration timeout;
    private final int memoryLimitInMb;
    private final Clock clock;
    private final Instant deadline;
    private final LambdaLogger logger;

    private LocalContext(Builder b) {
        this.functionName = b.functionName;
        this.functionArn = b.functionArn != null ? b.functionArn
                : "arn:aws:lambda:" + LocalAws.DEFAULT_REGION + ":" + LocalAws.DEFAULT_ACCOUNT_ID + ":function:"
                        + b.functionName;
        this.awsRequestId = b.awsRequestId != null ? b.awsRequestId : UUID.randomUUID().toString();
        this.timeout = b.timeout;
        this.memoryLimitInMb = b.memoryLimitInMb;
        this.clock = b.clock;
        this.deadline = (b.start != null ? b.start : clock.instant()).plus(timeout);
        this.logger = b.logger != null ? b.logger : new Slf4jLambdaLogger(functionName, awsRequestId);
    }

    /** {@return a builder; only the function name is required} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The context of an invocation of {@code functionName} that starts now on the system clock.
     *
     * @param functionName the function's name
     * @param timeout the function's timeout
     * @return the context
     */
    public static LocalContext of(String functionName, Duration timeout) {
        return builder().functionName(functionName).timeout(timeout).build();
    }

    /** {@return the function's timeout this context counts down from} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return the instant at which the invocation runs out of time} */
    public Instant deadline() {
        return deadline;
    }

    @Override
    public String getAwsRequestId() {
        return awsRequestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[$LATEST]" + awsRequestId.replace("-", "");
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return functionArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long remaining = deadline.toEpochMilli() - clock.millis();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, remaining));
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryLimitInMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    @Override
    public String toString() {
        return "LocalContext{function=" + functionName + ", requestId=" + awsRequestId + ", timeout=" + timeout
                + ", deadline=" + deadline + "}";
    }

    /** Builds a {@link LocalContext}. Not thread-safe. */
    public static final class Builder {
        private String functionName;
        private String functionArn;
        private String awsRequestId;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int memoryLimitInMb = DEFAULT_MEMORY_MB;
        private Clock clock = Clock.systemUTC();
        private Instant start;
        private LambdaLogger logger;

        private Builder() {
        }

        /**
         * The function's name (required).
         *
         * @param functionName the function name
         * @return this builder
         */
        public Builder functionName(String functionName) {
            this.functionName = functionName;
            return this;
        }

        /**
         * The invoked function's ARN; defaults to an ARN in the default region and account.
         *
         * @param functionArn the function ARN
         * @return this builder
         */
        public Builder functionArn(String functionArn) {
            this.functionArn = functionArn;
            return this;
        }

        /**
         * The request id; defaults to a random UUID.
         *
         * @param awsRequestId the request id
         * @return this builder
         */
        public Builder awsRequestId(String awsRequestId) {
            this.awsRequestId = awsRequestId;
            return this;
        }

        /**
         * The function's timeout; defaults to 3 seconds, Lambda's default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * The memory size in MB; defaults to 512.
         *
         * @param memoryLimitInMb the memory size in MB
         * @return this builder
         */
        public Builder memoryLimitInMb(int memoryLimitInMb) {
            this.memoryLimitInMb = memoryLimitInMb;
            return this;
        }

        /**
         * The clock the remaining time is read from; defaults to the system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * When the invocation started; defaults to the clock's instant at {@link #build()}.
         *
         * @param start the invocation's start
         * @return this builder
         */
        public Builder start(Instant start) {
            this.start = start;
            return this;
        }

        /**
         * The logger {@link LocalContext#getLogger()} returns; defaults to one that writes to slf4j,
         * each line prefixed with the function name and request id.
         *
         * @param logger the logger
         * @return this builder
         */
        public Builder logger(LambdaLogger logger) {
            this.logger = logger;
            return this;
        }

        /**
         * Builds the context.
         *
         * @return the context
         * @throws IllegalArgumentException when the function name is missing or blank, the timeout
         *     is not positive, or the memory size is not positive
         * @throws NullPointerException when the clock is null
         */
        public LocalContext build() {
            if (functionName == null || functionName.isBlank()) {
                throw new IllegalArgumentException("functionName is required, was '" + functionName + "'");
            }
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            if (memoryLimitInMb <= 0) {
                throw new IllegalArgumentException("memoryLimitInMb must be positive, was " + memoryLimitInMb);
            }
            Objects.requireNonNull(clock, "clock");
            return new LocalContext(this);
        }
    }
}
