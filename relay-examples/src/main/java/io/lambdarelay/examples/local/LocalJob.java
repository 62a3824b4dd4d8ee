package io.lambdarelay.examples.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.PartTally;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayException;
import io.lambdarelay.RelayLedger;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayProgress;
import io.lambdarelay.local.InvocationEvent;
import io.lambdarelay.local.LocalAws;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/** What both local runs share: the start invocation, the progress line, the leftover count. */
final class LocalJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalAws aws;
    private final Map<String, LongAdder> invocations = new ConcurrentHashMap<>();

    LocalJob(LocalAws aws) {
        this.aws = aws;
        aws.onInvocation(this::count);
    }

    private void count(InvocationEvent e) {
        if (e.outcome() != InvocationEvent.Outcome.RECURSION_DROPPED) {
            invocations.computeIfAbsent(e.functionName(), k -> new LongAdder()).increment();
        }
    }

    long invocations(String function) {
        LongAdder n = invocations.get(function);
        return n == null ? 0 : n.sum();
    }

    /** Registers a start handler that takes and returns JSON objects. */
    @SuppressWarnings("unchecked")
    void registerStart(String name, RequestHandler<Map<String, Object>, Map<String, Object>> handler) {
        Class<Map<String, Object>> type = (Class<Map<String, Object>>) (Class<?>) Map.class;
        aws.registerFunction(name, Duration.ofSeconds(60), type, handler);
    }

    /** Invokes the start function through the Lambda API, as a caller on AWS would. */
    Map<String, Object> invokeStart(String name, Map<String, Object> input) {
        try {
            InvokeResponse r = aws.lambdaClient().invoke(b -> b.functionName(name)
                    .payload(SdkBytes.fromUtf8String(write(input))));
            String body = r.payload() == null ? "" : r.payload().asUtf8String();
            if (r.functionError() != null) {
                throw new IllegalStateException("start function " + name + " failed: " + body);
            }
            return JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("start function " + name + " returned no JSON object", e);
        }
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Counts what the run left: {@code [queues, mappings, mappings being deleted]}, waiting up to
     * {@code wait} for them to go. A mapping in state {@code Deleting} was deleted by the relay and
     * is not counted as left over: on AWS it stays listed for a few seconds too, and on
     * {@code LocalAws} its pollers can stay blocked on a receive from the deleted queue for about
     * 20 seconds (see docs/examples.md).
     */
    long[] leftovers(Duration wait) {
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        long deletingGrace = start + Math.min(wait.toNanos(), Duration.ofMillis(1500).toNanos());
        while (true) {
            long queues = aws.sqsClient().listQueues().queueUrls().size();
            List<EventSourceMappingConfiguration> mappings =
                    aws.lambdaClient().listEventSourceMappings().eventSourceMappings();
            long deleting = mappings.stream().filter(m -> "Deleting".equals(m.state())).count();
            long active = mappings.size() - deleting;
            long now = System.nanoTime();
            if (queues + mappings.size() == 0 || (queues + active == 0 && now > deletingGrace) || now > deadline) {
                return new long[] {queues, active, deleting};
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new long[] {queues, active, deleting};
            }
        }
    }

    /**
     * Closes {@code LocalAws} on a daemon thread. Its close waits for pollers that are blocked on a
     * receive from a queue deleted under them (about 20 seconds on the embedded SQS); nothing of
     * the run's result depends on it.
     */
    static void closeInBackground(LocalAws aws) {
        Thread t = new Thread(aws::close, "local-aws-close");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Reads a relay's tally through {@link Relay#progress}, or from the ledger once the relay's
     * queues are gone (progress reads their message counts, which fails after the tear-down).
     */
    static PartTally progress(Relay relay, RelayPacket pkt, RelayLedger ledger) {
        try {
            RelayProgress p = relay.progress(pkt);
            return new PartTally(Math.max(0, p.done()), Math.max(0, p.failed()), Math.max(0, p.units()));
        } catch (RelayException e) {
            return ledger.tally(pkt.relayId());
        }
    }

    /** Prints {@code line} once a second until closed, and once more at close. */
    static final class Ticker implements AutoCloseable {
        private final ScheduledExecutorService timer;
        private final PrintStream out;
        private final Supplier<String> line;

        Ticker(PrintStream out, Supplier<String> line) {
            this.out = out;
            this.line = line;
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
        }

        private void print() {
            String s;
            try {
                s = line.get();
            } catch (RuntimeException e) {
                s = "(progress unavailable: " + e.getClass().getSimpleName() + ")";
            }
            out.println(s);
            out.flush();
        }

        @Override
        public void close() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            print();
        }
    }

    static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    static String queueName(String queueUrl) {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }
}
