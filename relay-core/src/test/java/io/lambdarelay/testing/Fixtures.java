package io.lambdarelay.testing;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loads test fixtures; turns Lambda's SQS event JSON into the SQSEvent the Java runtime hands a handler. */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    public static String text(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SQSEvent sqsEvent(String resource) {
        try {
            return toEvent(JSON.readTree(text(resource)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SQSEvent toEvent(JsonNode root) {
        List<SQSMessage> records = new ArrayList<>();
        for (JsonNode r : root.get("Records")) {
            SQSMessage m = new SQSMessage();
            m.setMessageId(r.path("messageId").asText(null));
            m.setReceiptHandle(r.path("receiptHandle").asText(null));
            m.setBody(r.path("body").isNull() ? null : r.path("body").asText(null));
            Map<String, String> attrs = new LinkedHashMap<>();
            r.path("attributes").properties().forEach(e -> attrs.put(e.getKey(), e.getValue().asText()));
            m.setAttributes(attrs);
            m.setMessageAttributes(new LinkedHashMap<>());
            m.setMd5OfBody(r.path("md5OfBody").asText(null));
            m.setEventSource(r.path("eventSource").asText(null));
            m.setEventSourceArn(r.path("eventSourceARN").asText(null));
            m.setAwsRegion(r.path("awsRegion").asText(null));
            records.add(m);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /** One record as the relay's mapping delivers it from a queue. */
    public static SQSEvent eventFor(String queueArn, String messageId, String body) {
        SQSMessage m = new SQSMessage();
        m.setMessageId(messageId);
        m.setReceiptHandle("rh-" + messageId);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        m.setEventSourceArn(queueArn);
        m.setAwsRegion("us-east-1");
        m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        m.setMessageAttributes(new LinkedHashMap<>());
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(List.of(m)));
        return event;
    }
}
