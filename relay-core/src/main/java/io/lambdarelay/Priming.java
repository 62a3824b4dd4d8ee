package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What {@link Relay#prime()} and {@link RelayWorker#prime()} run: the code of a hop on a sample
 * packet, so that its classes are loaded and initialised (and, before a SnapStart snapshot, kept in
 * it) without a network call. Nothing of it stays behind: no client of the relay is called, no
 * entropy is drawn, and no measurement (hand-off cost, adaptive rates) is recorded. Stateless.
 */
final class Priming {
    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);
    /** A sample relay queue and its ARN, of the shapes SQS gives; never called. */
    private static final String QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/000000000000/relay-priming-0";
    private static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:relay-priming-0";
    private static final String MESSAGE_ID = "00000000-0000-0000-0000-000000000000";

    private Priming() {
    }

    /**
     * What a relay's priming did.
     *
     * @param read the sample packet as a worker read it
     * @param offlineMessageId the message id the in-process SQS answer gave the SDK
     */
    record Primed(RelayPacket read, String offlineMessageId) {
    }

    /**
     * A relay's part: writes a sample packet as a pass and a fan-out would, reads it back as a
     * worker does, sends it through an SQS client of its own whose HTTP client answers in-process,
     * and builds the Lambda client the relay otherwise builds on first use.
     *
     * @return what it did
     */
    static Primed relay(Relay relay) {
        long started = System.nanoTime();
        Wiring wiring = relay.wiring();
        Instant now = wiring.clock().instant();
        RelayPacket pkt = RelayPacket.create(Header.first(QUEUE_URL, MESSAGE_ID, "priming", now, now.plusSeconds(3600),
                QUEUE_URL + RelaySetup.DLQ_SUFFIX, "priming"), Policy.of(RelaySetup.defaults()), wiring.values());
        pkt.put("text", "a").put("number", 1L).put("fraction", 0.5).put("decimal", BigDecimal.ONE)
                .put("flag", true).putObject("rows", new long[][] {{1, 2}}).putObject("at", now);
        pkt.getString("text");
        pkt.getLong("number", 0);
        pkt.getDouble("fraction", 0);
        pkt.getDecimal("decimal");
        pkt.getBoolean("flag", false);
        pkt.get("rows", long[][].class);
        pkt.get("at", Instant.class);

        String body = wiring.sender().stamp(pkt, Duration.ZERO).body();
        wiring.sender().stamp(pkt, Relay.MAX_SQS_DELAY.multipliedBy(2));
        for (RelayPacket part : pkt.split(2)) {
            wiring.sender().stamp(part, Duration.ZERO);
        }
        RelayPacket read = relay.getRelayPkt(message(body));
        String messageId = sendOffline(wiring, body);
        wiring.clients().lambda();
        LOG.debug("relay primed in {} ms", (System.nanoTime() - started) / 1_000_000);
        return new Primed(read, messageId);
    }

    /**
     * A worker's part, after the relay's: reads a sample event as {@link RelayWorker#handleRequest}
     * does, measures a unit that does nothing on a budget of its own, and builds a batch response.
     */
    static void worker(Relay relay, RelayPacket sample) {
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message(sample.toJson())));
        List<SQSMessage> records = event.getRecords();
        Deadline deadline = new Deadline(null, records, relay::getRelayPkt, relay.wiring(), d -> { });
        Invocation inv = new Invocation(null, deadline, relay.wiring(), records);
        try {
            inv.nextRecord();
            deadline.recordStarts(0);
            RelayPacket pkt = relay.getRelayPkt(records.get(0));
            deadline.recordRead(pkt);
            TimeBudget budget = TimeBudget.builder().remainingMillis(() -> 60_000).build();
            budget.hasTimeForAnother();
            budget.measure(() -> false);
            HopRunner.receiveCount(records.get(0));
            deadline.recordEnds(true);
        } finally {
            deadline.close();
        }
        new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(MESSAGE_ID)));
    }

    private static SQSMessage message(String body) {
        SQSMessage m = new SQSMessage();
        m.setMessageId(MESSAGE_ID);
        m.setBody(body);
        m.setEventSourceArn(QUEUE_ARN);
        m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        return m;
    }

    /**
     * Sends the body through the SDK's whole request path (endpoint rules, marshalling, signing,
     * the response's parsing and its MD5 check) on a client built here, in the relay's region, with
     * sample credentials, whose HTTP client answers as SQS would without opening a connection.
     * The relay's own client is not used: interceptors the application gave it would see a call.
     */
    private static String sendOffline(Wiring wiring, String body) {
        try (SqsClient offline = SqsClient.builder().region(region(wiring))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .httpClient(new AnswersSendMessage(md5Hex(body)))
                .build()) {
            return offline.sendMessage(r -> r.queueUrl(QUEUE_URL).messageBody(body).delaySeconds(0)).messageId();
        }
    }

    private static Region region(Wiring wiring) {
        try {
            Region r = wiring.clients().sqs().serviceClientConfiguration().region();
            return r == null ? Region.US_EAST_1 : r;
        } catch (RuntimeException e) {
            // A client that is a test double may not describe itself; the region only picks an endpoint.
            return Region.US_EAST_1;
        }
    }

    private static String md5Hex(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5, which SQS's checksums need", e);
        }
    }

    /** An HTTP client that opens no connection: it reads the request and answers SendMessage as SQS does. */
    static final class AnswersSendMessage implements SdkHttpClient {
        private final String md5;

        AnswersSendMessage(String md5) {
            this.md5 = md5;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    request.contentStreamProvider().ifPresent(p -> drain(p.newStream()));
                    byte[] json = ("{\"MessageId\":\"" + MESSAGE_ID + "\",\"MD5OfMessageBody\":\"" + md5 + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.0")
                                    .putHeader("Content-Length", Integer.toString(json.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(json)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        private static void drain(InputStream in) {
            try (in) {
                in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String clientName() {
            return "LambdaRelayPriming";
        }

        @Override
        public void close() {
        }
    }
}
