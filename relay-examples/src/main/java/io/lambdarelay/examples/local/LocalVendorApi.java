package io.lambdarelay.examples.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A vendor API on a free loopback port that allows {@code limit} calls per second and answers
 * {@code 429 Too Many Requests} above it, like SES, a CRM or a payment API.
 *
 * <p>{@code POST /calls/{id}} for ids {@code 0 .. calls-1}: {@code 200} if the token bucket has a
 * token ({@code limit} tokens a second, holding at most one second's worth: any one-second window
 * may hold {@code limit} calls, as "N requests per second" means), else {@code 429} with
 * {@code Retry-After: 1}. It counts the 200s per id, so a lost call (no 200)
 * or a duplicated one (two 200s) shows; a call answered 429 and made again later is neither.
 *
 * <p>Like payment and messaging APIs, it honours an {@code Idempotency-Key} header: a repeat of a
 * key that was answered 200 is answered 200 again with {@code Idempotent-Replayed: true}, without
 * doing the call again (it is counted in {@link #replayed()}, not in {@link #ok()}) and without
 * using the rate limit. That is how a relay's at-least-once units (a unit cut short at the
 * invocation's deadline runs again) stay exactly once at the vendor.
 *
 * <p>Thread-safe.
 */
public final class LocalVendorApi implements AutoCloseable {
    private final int calls;
    private final double limit;
    private final double capacity;
    private final long startNanos = System.nanoTime();
    private final AtomicIntegerArray okPerId;
    /** When each 200 was answered, in order: element n is the (n+1)-th. */
    private final java.util.concurrent.atomic.AtomicLongArray okAtNanos;
    private final AtomicInteger okCount = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private final java.util.Set<String> doneKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong firstOkNanos = new AtomicLong();
    private final AtomicLong lastOkNanos = new AtomicLong();
    private final Map<Long, LongAdder> okPerSecond = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService threads;
    private final URI uri;
    private double tokens;
    private long refilledNanos = startNanos;

    /**
     * Starts the API.
     *
     * @param calls the number of call ids it accepts
     * @param limit calls per second it allows
     * @throws UncheckedIOException if no loopback port can be bound
     */
    public LocalVendorApi(int calls, double limit) {
        if (calls < 1 || !(limit > 0)) {
            throw new IllegalArgumentException("calls and limit must be positive, got " + calls + " and " + limit);
        }
        this.calls = calls;
        this.limit = limit;
        this.capacity = Math.max(1, limit);
        this.tokens = capacity;
        this.okPerId = new AtomicIntegerArray(calls);
        this.okAtNanos = new java.util.concurrent.atomic.AtomicLongArray(calls);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "vendor-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            threads.shutdownNow();
            throw new UncheckedIOException("cannot bind the vendor API to a loopback port", e);
        }
        server.createContext("/calls/", this::handle);
        server.setExecutor(threads);
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            requests.increment();
            String path = ex.getRequestURI().getPath();
            long id;
            try {
                id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (!"POST".equals(ex.getRequestMethod()) || id < 0 || id >= calls) {
                reply(ex, 404);
                return;
            }
            String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            if (key != null && doneKeys.contains(key)) {
                replayed.increment();
                ex.getResponseHeaders().add("Idempotent-Replayed", "true");
                reply(ex, 200);
                return;
            }
            if (!tryAcquire()) {
                throttled.increment();
                ex.getResponseHeaders().add("Retry-After", "1");
                reply(ex, 429);
                return;
            }
            if (key != null && !doneKeys.add(key)) {
                // A concurrent repeat of the same key got here first: this one is a replay too.
                replayed.increment();
                ex.getResponseHeaders().add("Idempotent-Replayed", "true");
                reply(ex, 200);
                return;
            }
            long now = System.nanoTime();
            okPerId.incrementAndGet((int) id);
            ok.increment();
            int nth = okCount.getAndIncrement();
            if (nth < okAtNanos.length()) {
                okAtNanos.set(nth, now);
            }
            firstOkNanos.compareAndSet(0, now);
            lastOkNanos.accumulateAndGet(now, Math::max);
            okPerSecond.computeIfAbsent((now - startNanos) / 1_000_000_000L, k -> new LongAdder()).increment();
            reply(ex, 200);
        }
    }

    private synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - refilledNanos) * limit / 1e9);
        refilledNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    // Replies carry no body: the JDK server writes a body separately from the headers, and on
    // loopback that second small write waits for a delayed ACK (about 40 ms) unless
    // sun.net.httpserver.nodelay was set before the JVM's first HttpServer (LocalAws has one).
    private static void reply(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
    }

    /** {@return the base URL, ending in a slash} */
    public URI uri() {
        return uri;
    }

    /** {@return the limit in calls per second} */
    public double limit() {
        return limit;
    }

    /** {@return all requests, whatever the answer} */
    public long requests() {
        return requests.sum();
    }

    /** {@return requests answered 200} */
    public long ok() {
        return ok.sum();
    }

    /** {@return repeats of an idempotency key answered 200 from the first answer, without doing the call again} */
    public long replayed() {
        return replayed.sum();
    }

    /** {@return requests answered 429} */
    public long throttled() {
        return throttled.sum();
    }

    /** {@return call ids never answered 200} */
    public long lost() {
        long lost = 0;
        for (int i = 0; i < calls; i++) {
            if (okPerId.get(i) == 0) {
                lost++;
            }
        }
        return lost;
    }

    /** {@return 200s beyond the first per call id} */
    public long duplicates() {
        long dup = 0;
        for (int i = 0; i < calls; i++) {
            dup += Math.max(0, okPerId.get(i) - 1);
        }
        return dup;
    }

    /** {@return 200s per second from the first to the last, 0 before two} */
    public double achievedRate() {
        long first = firstOkNanos.get();
        long last = lastOkNanos.get();
        long n = ok();
        return n < 2 || last <= first ? 0 : (n - 1) * 1e9 / (last - first);
    }

    /**
     * The rate between the 200 that completed half of the calls and the one that completed 90%:
     * the pace once settled, without the ramp, the burst a full token bucket allows at first, and
     * the tail.
     *
     * @return 200s per second, 0 before 90% of the calls were answered
     */
    public double settledRate() {
        int n = Math.min(okCount.get(), okAtNanos.length());
        int from = calls / 2;
        int to = 9 * calls / 10;
        if (n <= to || to <= from) {
            return 0;
        }
        long t0 = okAtNanos.get(from);
        long t1 = okAtNanos.get(to);
        return t1 <= t0 ? 0 : (to - from) * 1e9 / (t1 - t0);
    }

    /** {@return the most 200s in one whole second since the API started} */
    public long peakSecond() {
        return okPerSecond.values().stream().mapToLong(LongAdder::sum).max().orElse(0);
    }

    /** Stops the server. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "LocalVendorApi{uri=" + uri + ", limit=" + limit + "/s, ok=" + ok() + ", throttled=" + throttled() + "}";
    }
}
