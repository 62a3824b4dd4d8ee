package io.lambdarelay.examples.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayCost;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
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
     * Counts what the run left: {@code [queues, mappings]}. Called after
     * {@link LocalAws#awaitIdle}, which returns only once the mappings the relay deleted are gone,
     * so anything listed here was left behind.
     */
    long[] leftovers() {
        long queues = aws.sqsClient().listQueues().queueUrls().size();
        long mappings = aws.lambdaClient().listEventSourceMappings().eventSourceMappings().size();
        return new long[] {queues, mappings};
    }

    /**
     * The checks both examples share: the job went idle in time, no dead-letter queue holds a
     * packet, nothing is left behind.
     */
    static List<Check> commonChecks(String gaveUp, long dlqMessages, long[] leftovers) {
        return commonChecks(gaveUp, dlqMessages, leftovers, false);
    }

    /**
     * As {@link #commonChecks(String, long, long[])}; in pooled mode the worker's pool (its queue,
     * its dead-letter queue and its mapping) stays, and only it may be left.
     */
    static List<Check> commonChecks(String gaveUp, long dlqMessages, long[] leftovers, boolean pooled) {
        if (pooled) {
            return List.of(
                    new Check("finished in time", gaveUp == null, gaveUp == null ? "the job went idle" : gaveUp),
                    new Check("dead-letter queues empty", dlqMessages == 0, dlqMessages + " message(s) in dead-letter "
                            + "queues"),
                    new Check("only the pool left", leftovers[0] == 2 && leftovers[1] == 1, leftovers[0]
                            + " queue(s), " + leftovers[1] + " event-source mapping(s) left: the pool's queue, "
                            + "dead-letter queue and mapping stay for the next relay"));
        }
        return List.of(
                new Check("finished in time", gaveUp == null, gaveUp == null ? "the job went idle" : gaveUp),
                new Check("dead-letter queues empty", dlqMessages == 0, dlqMessages + " message(s) in dead-letter "
                        + "queues"),
                new Check("nothing left behind", leftovers[0] + leftovers[1] == 0, leftovers[0] + " queue(s), "
                        + leftovers[1] + " event-source mapping(s) left"));
    }

    /** How a timeout the relay recovered from reads in a summary: reported, never a failure. */
    static String timeouts(long timeouts) {
        return timeouts == 0 ? "0" : timeouts + " (recovered: a timed-out invocation's packet is delivered again "
                + "after the queue's visibility timeout; not a failure, the checks judge the result)";
    }

    /**
     * Reads a relay's tally for the progress line. It asks the ledger, not {@link Relay#progress}:
     * progress also reads SQS's message counts, and a count that reaches the embedded SQS in the
     * instant the relay's tear-down deletes the queue makes ElasticMQ log an error.
     */
    static PartTally progress(RelayPacket pkt, RelayLedger ledger) {
        return ledger.tally(pkt.relayId());
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

        /** Stops the ticker, letting a line being printed finish (an interrupt would abort its SDK calls). */
        @Override
        public void close() {
            timer.shutdown();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            print();
        }
    }

    /**
     * The summary's cost line: what the ledger counted for the relay (its chain, or every part),
     * and the estimate at us-east-1 list prices.
     */
    static String costLine(RelayCost c) {
        return String.format(Locale.ROOT, "cost                %s hops, %s Lambda requests, %.1f GB-s (%,d MB x ms), "
                + "%s SQS requests, %s ledger writes%s: about $%.6f at us-east-1 list prices (free tiers ignored; "
                + "docs/operations.md, \"What a relay costs\")", n(c.hops()), n(c.lambdaRequests()),
                c.lambdaGbSeconds(), c.lambdaMbMillis(), n(c.sqsRequests()), n(c.ledgerWrites()),
                c.ledgerReads() == 0 ? "" : ", " + n(c.ledgerReads()) + " ledger reads",
                c.estimatedUsd(RelayCost.Prices.US_EAST_1));
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
