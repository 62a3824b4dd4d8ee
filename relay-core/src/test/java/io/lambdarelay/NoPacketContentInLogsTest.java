package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.testing.Await;
import io.lambdarelay.testing.CapturedStderr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Packet contents may hold personal data: a canary secret put in packets must never appear in any
 * log line (DEBUG included) or exception message, whatever happens to the packet.
 */
class NoPacketContentInLogsTest {
    private static final String CANARY = "canary-3f9a-jane.doe@example.com";

    /** A bean whose getter fails with the canary in its message. */
    public static final class Locked {
        public String getEmail() {
            throw new IllegalStateException("no access to " + CANARY);
        }
    }

    @Test
    void theCanaryNeverReachesLogsOrExceptionMessages() {
        CapturedStderr stderr = CapturedStderr.start();
        List<String> messages = new ArrayList<>();
        try (stderr; LocalAws aws = LocalAws.start()) {
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
            AtomicBoolean failedOnce = new AtomicBoolean();
            AtomicBoolean done = new AtomicBoolean();
            aws.registerFunction("canary-worker", Duration.ofSeconds(1), new RelayWorker(relay) {
                @Override
                protected boolean processUnit(RelayPacket pkt) {
                    if (!failedOnce.getAndSet(true)) {
                        throw new IllegalStateException("cannot mail " + pkt.getString("email"));
                    }
                    long n = pkt.getLong("n", 0) + 1;
                    pkt.put("n", n);
                    return n < 3;
                }

                @Override
                protected void onComplete(RelayPacket pkt, Context context) {
                    done.set(true);
                }
            });
            RelayPacket pkt = relay.setup(null, "canary-worker", RelaySetup.builder().visibilityTimeout(Duration.ofSeconds(6))
                    .build()).put("email", CANARY);
            messages.add(pkt.toString());
            relay.relayPass(pkt);
            Await.until("the relay to finish after one failure", Duration.ofSeconds(30), done::get);

            // hostile and broken packets that carry the canary
            String q = pkt.queueUrl();
            for (String body : List.of("{\"QueueUrl\":\"" + q + "\",\"UUID\":\"u\",\"email\":\"" + CANARY,
                    "{" + CANARY + "}", "{\"QueueUrl\":\"" + q + "\",\"UUID\":\"u\",\"" + CANARY + "\":1,\"" + CANARY + "\":2}",
                    "{\"QueueUrl\":\"" + q + "\",\"UUID\":\"u\",\"pad\":\"" + CANARY.repeat(3_000) + "\"}",
                    "\"" + CANARY + "\"", "{\"QueueUrl\":\"" + CANARY + "\",\"UUID\":7}")) {
                messages.add(assertThrows(InvalidPacketException.class, () -> RelayPacket.fromJson(body)).getMessage());
            }
            RelayPacket typed = RelayPacket.fromJson("{\"QueueUrl\":\"" + q + "\",\"UUID\":\"u\",\"email\":\"" + CANARY + "\"}");
            messages.add(assertThrows(InvalidPacketException.class, () -> typed.getLong("email", 0)).getMessage());
            messages.add(assertThrows(InvalidPacketException.class, () -> typed.get("email", List.class)).getMessage());
            messages.add(assertThrows(InvalidPacketException.class, () -> typed.get("email", Instant.class)).getMessage());
            // values putObject cannot write, with the canary as a map key, a thread's name, a getter's error
            Map<String, Object> cyclic = new HashMap<>();
            cyclic.put(CANARY, cyclic);
            for (Object unwritable : List.of(cyclic, Map.of(CANARY, new Object()), new Thread(() -> { }, CANARY),
                    Map.of(CANARY, List.of(new Thread(() -> { }, CANARY))), new Locked())) {
                InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> typed.putObject("v", unwritable));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    messages.add(String.valueOf(t.getMessage()));
                }
            }
            messages.add(assertThrows(PacketTooLargeException.class,
                    () -> relay.relayPass(typed.put("big", CANARY.repeat(3_000)))).getMessage());
            messages.add(typed.toString());
        }
        String logs = stderr.text();
        assertTrue(logs.contains("relay") && logs.contains("DEBUG"), "debug logging was captured: " + logs.length());
        assertFalse(logs.contains(CANARY), "a log line holds packet contents");
        assertFalse(logs.contains("jane.doe"), "a log line holds part of the packet contents");
        for (String m : messages) {
            assertFalse(m.contains(CANARY) || m.contains("jane.doe"), "exception message leaks contents: " + m);
        }
    }
}
