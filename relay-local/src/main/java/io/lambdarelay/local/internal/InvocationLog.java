package io.lambdarelay.local.internal;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * One invocation's log as CloudWatch would hold it: Lambda's {@code START}, {@code END} and
 * {@code REPORT} lines around what the function wrote to its {@link LambdaLogger}. Invoke with
 * {@code LogType=Tail} returns its last 4 KB. Output the function writes elsewhere (slf4j,
 * {@code System.out}) goes to this JVM's own log and is not captured: every invocation shares the
 * JVM's streams. Keeps at most {@link #MAX_CHARS} characters. Thread-safe.
 */
public final class InvocationLog {

    /** What Lambda returns of the log: the last 4 KB. */
    static final int TAIL_BYTES = 4 * 1024;
    /** A bound on what is kept; the tail is all anyone reads. */
    static final int MAX_CHARS = 64 * 1024;

    private final String requestId;
    private final StringBuilder text = new StringBuilder();

    InvocationLog(String requestId) {
        this.requestId = requestId;
        append("START RequestId: " + requestId + " Version: $LATEST");
    }

    /** A logger that writes to {@code delegate} and to this log. */
    LambdaLogger tee(LambdaLogger delegate) {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                delegate.log(message);
                append(message);
            }

            @Override
            public void log(byte[] message) {
                delegate.log(message);
                append(new String(message, StandardCharsets.UTF_8));
            }

            @Override
            public void log(String message, LogLevel level) {
                delegate.log(message, level);
                append(message);
            }

            @Override
            public void log(byte[] message, LogLevel level) {
                delegate.log(message, level);
                append(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    /** Ends the log as Lambda does, with the invocation's outcome and duration. */
    void finish(Invoker.Status status, Throwable error, Duration duration, Duration timeout, int memorySizeMb) {
        if (error != null) {
            append(error.getClass().getName() + ": " + error.getMessage());
        }
        if (status == Invoker.Status.TIMEOUT) {
            append(String.format(Locale.ROOT, "%s Task timed out after %.2f seconds", requestId,
                    timeout.toMillis() / 1000.0));
        }
        append("END RequestId: " + requestId);
        double millis = duration.toNanos() / 1e6;
        append(String.format(Locale.ROOT, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\t"
                + "Memory Size: %d MB%s", requestId, millis, (long) Math.ceil(millis), memorySizeMb,
                status == Invoker.Status.TIMEOUT ? "\tStatus: timeout" : ""));
    }

    private synchronized void append(String message) {
        String line = message == null ? "null" : message.stripTrailing();
        text.append(line).append('\n');
        if (text.length() > MAX_CHARS) {
            text.delete(0, text.length() - MAX_CHARS);
        }
    }

    /** {@return the whole log kept} */
    public synchronized String text() {
        return text.toString();
    }

    /** {@return the last 4 KB of the log, base64-encoded, as Invoke's {@code X-Amz-Log-Result}} */
    public String tailBase64() {
        byte[] bytes = text().getBytes(StandardCharsets.UTF_8);
        int from = Math.max(0, bytes.length - TAIL_BYTES);
        // Start on a character, not inside one: skip UTF-8 continuation bytes.
        while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
            from++;
        }
        byte[] tail = new byte[bytes.length - from];
        System.arraycopy(bytes, from, tail, 0, tail.length);
        return Base64.getEncoder().encodeToString(tail);
    }
}
