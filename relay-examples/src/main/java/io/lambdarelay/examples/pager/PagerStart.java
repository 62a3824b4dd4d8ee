package io.lambdarelay.examples.pager;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.examples.Env;
import io.lambdarelay.examples.Input;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Starts a pager relay with {@link Relay#start}: sets up the relay queue and mapping to the worker
 * and passes the first packet, which holds only the page size (the cursor and totals are added by
 * the worker); if the pass fails, nothing is left behind.
 *
 * <p>Input (all optional): {@code {"pageSize": 1000, "pooled": 1}} ({@code pooled} 1: in the worker's pool). Output: {@code relayId}, {@code queueUrl}
 * and {@code packet}, the first packet's JSON, which {@link Relay#progress} reads.
 *
 * <p>On Lambda: {@code WORKER_FUNCTION} names the worker, and {@code POOL_QUEUE}, if set, the pool the
 * template made for it: a pooled start then only finds it and never creates one. Without it, the
 * first pooled start creates the worker's pool under the library's default name. Thread-safe.
 */
public final class PagerStart implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    /** Rows per page, and so per unit of work, unless the input says otherwise. */
    public static final int DEFAULT_PAGE_SIZE = 1000;
    /** The largest page accepted. */
    public static final int MAX_PAGE_SIZE = 100_000;

    private final Relay relay;
    private final String workerFunction;
    /** The name of the pool a template made, or {@code null}: the library's default, created if missing. */
    private final String poolQueue;

    /**
     * For Lambda: a relay with the environment's clients, the worker named by
     * {@code WORKER_FUNCTION}, and the pool by {@code POOL_QUEUE} if set.
     */
    public PagerStart() {
        this(Relay.create(), Env.system().require("WORKER_FUNCTION"), Env.system().get("POOL_QUEUE", null));
    }

    /**
     * For local runs and tests.
     *
     * @param relay the relay
     * @param workerFunction the worker's name or ARN
     */
    public PagerStart(Relay relay, String workerFunction) {
        this(relay, workerFunction, null);
    }

    /**
     * For local runs and tests, with the worker's pool made beforehand.
     *
     * @param relay the relay
     * @param workerFunction the worker's name or ARN
     * @param poolQueue the name of the worker's pool, which a pooled start finds and never creates;
     *        {@code null} for the library's default name, created by the first pooled start if missing
     */
    public PagerStart(Relay relay, String workerFunction, String poolQueue) {
        this.relay = Objects.requireNonNull(relay, "relay");
        this.workerFunction = Objects.requireNonNull(workerFunction, "workerFunction");
        this.poolQueue = poolQueue == null || poolQueue.isBlank() ? null : poolQueue;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        long pageSize = Input.longValue(input, "pageSize", DEFAULT_PAGE_SIZE);
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be 1 to " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        boolean pooled = Input.longValue(input, "pooled", 0) != 0;
        RelaySetup.Builder setup = RelaySetup.builder()
                .pooled(pooled); // the worker's pool instead of a queue and mapping of its own
        if (pooled && poolQueue != null) {
            setup.poolQueueName(poolQueue).createPool(false); // the template's pool, never a new one
        }
        // One call: if the first pass fails, the queues and the mapping are deleted again.
        RelayPacket pkt = relay.start(context, workerFunction, setup
                .maxReceiveCount(3)
                .expiresAfter(Duration.ofHours(6))
                .tag("example", "pager")
                .build(), first -> first.put(PagerWorker.PAGE_SIZE, pageSize));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("relayId", pkt.relayId());
        out.put("queueUrl", pkt.queueUrl());
        out.put("packet", pkt.toJson());
        return out;
    }
}
