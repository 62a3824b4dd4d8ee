package io.lambdarelay.examples.vendor;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayThrottledException;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.examples.Env;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the vendor API once per unit: {@code POST {vendor}/calls/{id}} for the part's next id. The
 * relay paces units at the part's share of the rate limit. A 429 answer throws
 * {@link RelayThrottledException}: the unit is undone (the call did not happen) and the packet is
 * handed on with a back-off delay, so the call is made later, not lost. Each request carries an
 * {@code Idempotency-Key} of relay id and call id, so a vendor that honours it can drop the repeats
 * a redelivered packet makes (work since the last hand-off runs again).
 *
 * <p>On Lambda: {@code VENDOR_URL} is the API's base URL. The template runs it with SnapStart:
 * the Lambda constructor registers {@link #prime()} to run before the snapshot. Thread-safe.
 */
public final class VendorWorker extends RelayWorker {
    /** Packet key: the part's next call id. */
    public static final String NEXT = "next";
    /** Packet key: the part's end, exclusive. */
    public static final String TO = "to";

    private static final Logger LOG = LoggerFactory.getLogger(VendorWorker.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final URI vendor;
    private final HttpClient http;

    /** For Lambda: the vendor at {@code VENDOR_URL}; primed before a SnapStart snapshot. */
    public VendorWorker() {
        this(Relay.create(), URI.create(Env.system().require("VENDOR_URL")));
        primeBeforeCheckpoint();
    }

    /**
     * For local runs and tests.
     *
     * @param relay the relay
     * @param vendor the vendor API's base URL
     */
    public VendorWorker(Relay relay, URI vendor) {
        super(relay);
        String base = Objects.requireNonNull(vendor, "vendor").toString();
        this.vendor = URI.create(base.endsWith("/") ? base : base + "/");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CALL_TIMEOUT)
                .build();
    }

    @Override
    protected boolean processUnit(RelayPacket pkt) throws IOException, InterruptedException {
        long next = pkt.getLong(NEXT, 0);
        long to = pkt.getLong(TO, 0);
        if (next >= to) {
            return false;
        }
        HttpRequest request = HttpRequest.newBuilder(vendor.resolve("calls/" + next))
                .timeout(CALL_TIMEOUT)
                .header("Idempotency-Key", pkt.relayId() + "-" + next)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 429) {
            throw new RelayThrottledException("vendor answered 429 to call " + next);
        }
        if (status / 100 != 2) {
            throw new IOException("vendor answered " + status + " to call " + next);
        }
        pkt.put(NEXT, next + 1);
        return next + 1 < to;
    }

    @Override
    protected void onComplete(RelayPacket pkt, Context context) {
        LOG.info("vendor relay {}: all {} parts finished", pkt.relayId(), pkt.partCount());
    }
}
