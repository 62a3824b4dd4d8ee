package io.lambdarelay.janitor;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.lambdarelay.internal.DefaultClients;
import java.time.Duration;
import java.util.Map;

/**
 * A ready Lambda handler that runs {@link RelayJanitor#sweep()} on a schedule (an EventBridge rule,
 * e.g. {@code rate(1 hour)}). Environment variables: {@code RELAY_QUEUE_PREFIX} (default
 * {@code relay-}) and {@code RELAY_IDLE_MINUTES} (default 60). See docs/operations.md for the SAM
 * snippet and the IAM policy. The schedule's event is read as a plain map and not used, so the
 * handler needs no joda-time (which {@code ScheduledEvent} would).
 */
public class RelayJanitorHandler implements RequestHandler<Map<String, Object>, String> {
    private final RelayJanitor janitor;

    /**
     * Creates the handler with SDK clients from the Lambda environment, on the URL-connection HTTP
     * client, and settings from its variables.
     */
    public RelayJanitorHandler() {
        this(RelayJanitor.builder().sqsClient(DefaultClients.sqs()).lambdaClient(DefaultClients.lambda())
                .queueNamePrefix(env("RELAY_QUEUE_PREFIX", "relay-"))
                .idleAfter(Duration.ofMinutes(Long.parseLong(env("RELAY_IDLE_MINUTES", "60"))))
                .build());
    }

    /**
     * Creates the handler around a janitor, for tests.
     *
     * @param janitor the janitor
     */
    public RelayJanitorHandler(RelayJanitor janitor) {
        this.janitor = janitor;
    }

    /**
     * Sweeps once.
     *
     * @param event the schedule's event as a map (unused)
     * @param context the invocation's context
     * @return the sweep's report as text
     */
    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        return janitor.sweep().toString();
    }

    private static String env(String name, String defaultValue) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? defaultValue : v;
    }
}
