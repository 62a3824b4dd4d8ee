package io.lambdarelay.cli;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayFailure;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.TimeBudget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What the command line's tests share: running it, local credentials, and a worker that sums. */
final class CliTesting {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CliTesting() {
    }

    /** One run of the command line. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    /** Runs the command line with these arguments, capturing what it prints. */
    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new RelayCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Gives the SDK's default chain local credentials, as the command line takes them from it like
     * the AWS CLI does; the returned action puts back what was there.
     */
    static Runnable localCredentials() {
        String key = System.setProperty("aws.accessKeyId", "local");
        String secret = System.setProperty("aws.secretAccessKey", "local");
        return () -> {
            restore("aws.accessKeyId", key);
            restore("aws.secretAccessKey", secret);
        };
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    /**
     * Sums items 0 to 19 of its packet, one a unit, all it can in a hop or {@code unitsPerHop}; the
     * buggy version throws at item 7.
     */
    static class Summer extends RelayWorker {
        private final boolean buggy;
        private final int unitsPerHop;
        private final List<Long> completed;
        private final List<RelayFailure> parked;
        private final AtomicInteger unitsThisHop = new AtomicInteger();

        /**
         * @param unitsPerHop the units a hop runs before it hands off; 0 for what its time allows
         */
        Summer(Relay relay, boolean buggy, int unitsPerHop, List<Long> completed, List<RelayFailure> parked) {
            super(relay);
            this.buggy = buggy;
            this.unitsPerHop = unitsPerHop;
            this.completed = completed;
            this.parked = parked;
        }

        @Override
        protected TimeBudget newBudget(Context context, Duration unitHint) {
            if (unitsPerHop == 0) {
                return super.newBudget(context, unitHint);
            }
            unitsThisHop.set(0);
            return TimeBudget.builder().remainingMillis(() -> unitsThisHop.get() < unitsPerHop ? 600_000 : 0)
                    .reserve(Duration.ZERO).build();
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            long i = pkt.getLong("next", 0);
            if (buggy && i == 7) {
                throw new IllegalStateException("a bug at item 7");
            }
            unitsThisHop.incrementAndGet();
            pkt.put("sum", pkt.getLong("sum", 0) + i).put("next", i + 1);
            return i + 1 < 20;
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            completed.add(pkt.getLong("sum", 0));
        }

        @Override
        protected void onRelayParked(RelayPacket pkt, RelayFailure failure, Context context) {
            parked.add(failure);
        }
    }
}
