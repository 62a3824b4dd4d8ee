package io.lambdarelay.local.internal;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LambdaLogger} that writes what the function logs to slf4j, prefixed with the function
 * name and request id as CloudWatch would show them. Thread-safe.
 */
public final class Slf4jLambdaLogger implements LambdaLogger {

    private static final Logger LOG = LoggerFactory.getLogger(Slf4jLambdaLogger.class);

    private final String functionName;
    private final String requestId;

    public Slf4jLambdaLogger(String functionName, String requestId) {
        this.functionName = functionName;
        this.requestId = requestId;
    }

    @Override
    public void log(String message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message) {
        log(new String(message, StandardCharsets.UTF_8), LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        log(new String(message, StandardCharsets.UTF_8), level);
    }

    @Override
    public void log(String message, LogLevel level) {
        String line = message == null ? "null" : message.stripTrailing();
        switch (level) {
            case TRACE:
                LOG.trace("[{}] [{}] {}", functionName, requestId, line);
                break;
            case DEBUG:
                LOG.debug("[{}] [{}] {}", functionName, requestId, line);
                break;
            case WARN:
                LOG.warn("[{}] [{}] {}", functionName, requestId, line);
                break;
            case ERROR:
            case FATAL:
                LOG.error("[{}] [{}] {}", functionName, requestId, line);
                break;
            default:
                LOG.info("[{}] [{}] {}", functionName, requestId, line);
        }
    }
}
