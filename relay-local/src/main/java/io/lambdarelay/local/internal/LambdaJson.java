package io.lambdarelay.local.internal;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * JSON as the Lambda runtime reads and writes it: the SQS event in its wire shape, and handler
 * inputs and outputs. Thread-safe.
 */
public final class LambdaJson {

    private final ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .addMixIn(SQSEvent.class, SqsEventMixin.class)
            .addMixIn(SQSEvent.SQSMessage.class, SqsMessageMixin.class)
            .build();

    /** The mapper, configured for the {@code aws-lambda-java-events} types. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** Parses a request or response body; throws {@link IOException} when it is not JSON. */
    public JsonNode parse(byte[] json) throws IOException {
        return mapper.readTree(json);
    }

    /**
     * Builds the event Lambda delivers for a batch of SQS messages, in the JSON shape Lambda sends.
     */
    byte[] sqsEvent(List<ReceivedMessage> messages, String queueArn, String region) {
        ObjectNode event = mapper.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (ReceivedMessage m : messages) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.messageId());
            r.put("receiptHandle", m.receiptHandle());
            r.put("body", m.body());
            ObjectNode attributes = r.putObject("attributes");
            m.attributes().forEach(attributes::put);
            ObjectNode messageAttributes = r.putObject("messageAttributes");
            for (Map.Entry<String, ReceivedMessage.Attribute> a : m.messageAttributes().entrySet()) {
                messageAttributes.set(a.getKey(), messageAttribute(a.getValue()));
            }
            r.put("md5OfBody", m.md5OfBody());
            if (m.md5OfMessageAttributes() != null) {
                r.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
            }
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", queueArn);
            r.put("awsRegion", region);
        }
        try {
            return mapper.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize an SQS event", e);
        }
    }

    private ObjectNode messageAttribute(ReceivedMessage.Attribute value) {
        ObjectNode node = mapper.createObjectNode();
        if (value.stringValue() != null) {
            node.put("stringValue", value.stringValue());
        }
        if (value.binaryValue() != null) {
            node.put("binaryValue", Base64.getEncoder().encodeToString(value.binaryValue()));
        }
        node.putArray("stringListValues");
        node.putArray("binaryListValues");
        node.put("dataType", value.dataType());
        return node;
    }

    /** Maps the bean names of {@link SQSEvent} to the names on the wire. */
    abstract static class SqsEventMixin {
        @JsonProperty("Records")
        abstract List<SQSEvent.SQSMessage> getRecords();

        @JsonProperty("Records")
        abstract void setRecords(List<SQSEvent.SQSMessage> records);
    }

    /** Maps the bean names of {@link SQSEvent.SQSMessage} to the names on the wire. */
    abstract static class SqsMessageMixin {
        @JsonProperty("eventSourceARN")
        abstract String getEventSourceArn();

        @JsonProperty("eventSourceARN")
        abstract void setEventSourceArn(String arn);
    }
}
