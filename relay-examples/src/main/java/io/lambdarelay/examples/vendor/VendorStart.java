package io.lambdarelay.examples.vendor;

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
 * Starts a vendor fan-out with {@link Relay#startFanOut}: sets up the relay with the vendor's rate
 * limit and a concurrency cap, and fans calls {@code 0 .. calls-1} out over {@code parts} parts of
 * consecutive ids; if a part cannot be passed, nothing is left behind.
 *
 * <p>Input (all optional): {@code {"calls": 40000, "parts": 40, "concurrency": 8, "rate": 200}}.
 * {@code rate} is calls per second across all parts; it defaults to the configured vendor limit.
 * With {@code "adaptive": 1} the vendor's limit is unknown and {@code rate} is only where the relay
 * starts: it finds the limit from the vendor's 429s ({@link RelaySetup.Builder#adaptiveRate}).
 * Output: {@code relayId}, {@code queueUrl}, {@code parts} and {@code packet}, the first part's
 * JSON, which {@link Relay#progress} reads.
 *
 * <p>On Lambda: {@code WORKER_FUNCTION} names the worker, {@code RATE_LIMIT} is the vendor's
 * limit in calls per second (default 14, SES's sandbox rate). Thread-safe.
 */
public final class VendorStart implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    /** Calls unless the input says otherwise: the data-pipeline talk's job size. */
    public static final long DEFAULT_CALLS = 40_000;
    /** Parts unless the input says otherwise. */
    public static final long DEFAULT_PARTS = 40;
    /** Workers at once unless the input says otherwise. */
    public static final long DEFAULT_CONCURRENCY = 8;

    private final Relay relay;
    private final String workerFunction;
    private final double vendorLimit;

    /** For Lambda: the worker named by {@code WORKER_FUNCTION}, the limit from {@code RATE_LIMIT}. */
    public VendorStart() {
        this(Relay.create(), Env.system().require("WORKER_FUNCTION"), Env.system().getDouble("RATE_LIMIT", 14));
    }

    /**
     * For local runs and tests.
     *
     * @param relay the relay
     * @param workerFunction the worker's name or ARN
     * @param vendorLimit the vendor's limit in calls per second, the default {@code rate}
     */
    public VendorStart(Relay relay, String workerFunction, double vendorLimit) {
        this.relay = Objects.requireNonNull(relay, "relay");
        this.workerFunction = Objects.requireNonNull(workerFunction, "workerFunction");
        if (!(vendorLimit > 0)) {
            throw new IllegalArgumentException("vendorLimit must be positive, got " + vendorLimit);
        }
        this.vendorLimit = vendorLimit;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        long calls = Input.longValue(input, "calls", DEFAULT_CALLS);
        long parts = Input.longValue(input, "parts", Math.min(DEFAULT_PARTS, Math.max(1, calls)));
        long concurrency = Input.longValue(input, "concurrency", DEFAULT_CONCURRENCY);
        double rate = Input.doubleValue(input, "rate", vendorLimit);
        boolean adaptive = Input.longValue(input, "adaptive", 0) != 0;
        if (calls < 1 || parts < 1 || parts > calls || parts > 100_000) {
            throw new IllegalArgumentException("need 1 <= parts <= calls and parts <= 100000, got calls=" + calls
                    + ", parts=" + parts);
        }
        RelaySetup options = RelaySetup.builder()
                .pooled(Input.longValue(input, "pooled", 0) != 0) // the worker's pool, if asked
                .maximumConcurrency((int) concurrency)
                .rateLimit(rate)
                .adaptiveRate(adaptive)
                .maxReceiveCount(3)
                .expiresAfter(Duration.ofHours(6))
                .tag("example", "vendor")
                .build();
        RelayPacket[] first = new RelayPacket[1];
        // One call: if a part cannot be passed, the queues and the mapping are deleted again.
        relay.startFanOut(context, workerFunction, options, (int) parts, (i, part) -> {
            long from = calls * i / parts;
            long to = calls * (i + 1) / parts;
            part.put(VendorWorker.NEXT, from).put(VendorWorker.TO, to);
            if (i == 0) {
                first[0] = part;
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("relayId", first[0].relayId());
        out.put("queueUrl", first[0].queueUrl());
        out.put("parts", parts);
        out.put("packet", first[0].toJson());
        return out;
    }
}
