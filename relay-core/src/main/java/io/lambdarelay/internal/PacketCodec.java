package io.lambdarelay.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.InvalidPacketException;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.PacketTooLargeException;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;

/**
 * The one place packets become JSON text and back, with the parser hardened against hostile bodies.
 *
 * <p>It reads into a {@link JsonNode} tree with jackson-core's streaming parser alone and writes
 * the tree with its generator: no object mapper, so no default typing and no polymorphic binding,
 * and type-naming payloads such as {@code "@class"} are plain data. (User objects become trees in
 * {@code io.lambdarelay.ValueCodec}, through this parser.) Parse errors are reported with their
 * position only; Jackson's own messages quote input and are not passed on.
 */
public final class PacketCodec {
    /** SQS's largest message, the upper bound of any configured packet limit. */
    public static final int MAX_SQS_MESSAGE_BYTES = 1_048_576;
    /** Deeper nesting is refused: packets are small flat state, not documents. */
    public static final int MAX_NESTING_DEPTH = 64;
    /** A longer number is refused before it is parsed (parsing huge numbers is quadratic). */
    public static final int MAX_NUMBER_LENGTH = 100;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Hardened reading limits; the factory is immutable once built, so it is safe to share. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength(MAX_SQS_MESSAGE_BYTES)
                    .maxDocumentLength(MAX_SQS_MESSAGE_BYTES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private PacketCodec() {
    }

    /**
     * Parses a message body into a JSON tree, checking its size first.
     *
     * @param body the body
     * @param maxBytes the packet limit
     * @param messageId the SQS message id for error messages, or {@code null}
     * @return the parsed tree
     * @throws InvalidPacketException when the body is empty, too large or not acceptable JSON
     */
    public static JsonNode parse(String body, int maxBytes, String messageId) {
        if (body == null || body.isBlank()) {
            throw new InvalidPacketException(Reason.EMPTY, "relay packet body is empty", messageId, null);
        }
        long size = utf8Length(body);
        if (size > maxBytes) {
            throw new PacketTooLargeException(size, maxBytes, messageId);
        }
        try (JsonParser parser = FACTORY.createParser(body)) {
            if (parser.nextToken() == null) {
                throw new InvalidPacketException(Reason.EMPTY, "relay packet body holds no JSON value", messageId, null);
            }
            JsonNode node = readNode(parser);
            JsonLocation end = parser.currentLocation();
            boolean trailing;
            try {
                trailing = parser.nextToken() != null;
            } catch (JsonProcessingException e) {
                trailing = true;
            }
            if (trailing) {
                throw new InvalidPacketException(Reason.MALFORMED_JSON, "relay packet has content after its JSON value "
                        + "ending at line " + end.getLineNr() + ", column " + end.getColumnNr(), messageId, null);
            }
            return node;
        } catch (java.io.IOException e) {
            throw translate(e, messageId);
        }
    }

    private static InvalidPacketException translate(java.io.IOException io, String messageId) {
        if (!(io instanceof JsonProcessingException)) {
            return new InvalidPacketException(Reason.MALFORMED_JSON, "relay packet could not be read", messageId, null);
        }
        JsonProcessingException e = (JsonProcessingException) io;
        if (e instanceof StreamConstraintsException) {
            return new InvalidPacketException(Reason.LIMIT_EXCEEDED, "relay packet exceeds the JSON limits (nesting depth "
                    + MAX_NESTING_DEPTH + ", number length " + MAX_NUMBER_LENGTH + ") at " + where(e), messageId, null);
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (original.startsWith("Duplicate field")) {
            return new InvalidPacketException(Reason.DUPLICATE_KEY,
                    "relay packet has a key twice in one object at " + where(e), messageId, null);
        }
        return new InvalidPacketException(Reason.MALFORMED_JSON,
                "relay packet is not well-formed JSON at " + where(e), messageId, null);
    }

    /**
     * Serializes a tree to JSON text that SQS can carry unchanged.
     *
     * <p>Lone surrogates and U+FFFE/U+FFFF cannot travel in an SQS body; they are written as JSON
     * {@code \\uXXXX} escapes instead (as JavaScript's {@code JSON.stringify} does), which read back
     * to the same Java string.
     *
     * @param node the tree
     * @return the JSON text
     */
    public static String write(JsonNode node) {
        try {
            StringWriter out = new StringWriter(256);
            try (JsonGenerator gen = FACTORY.createGenerator(out)) {
                writeNode(gen, node);
            }
            return escapeUnsendable(out.toString());
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree could not be serialized", e);
        }
    }

    /**
     * Builds a tree with the streaming parser alone, so reading a packet never needs the object
     * mapper; nesting depth, number and string lengths and duplicate keys are checked by the parser.
     * Floats become exact decimals.
     */
    private static JsonNode readNode(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, readNode(p));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(readNode(p));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(p, "unexpected token " + t);
        }
    }

    /** Writes a tree with the streaming generator alone, so writing never needs the object mapper. */
    private static void writeNode(JsonGenerator gen, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT:
                gen.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    gen.writeFieldName(e.getKey());
                    writeNode(gen, e.getValue());
                }
                gen.writeEndObject();
                break;
            case ARRAY:
                gen.writeStartArray();
                for (JsonNode child : node) {
                    writeNode(gen, child);
                }
                gen.writeEndArray();
                break;
            case STRING:
                gen.writeString(node.textValue());
                break;
            case NUMBER:
                if (node.isBigInteger()) {
                    gen.writeNumber(node.bigIntegerValue());
                } else if (node.isIntegralNumber()) {
                    gen.writeNumber(node.longValue());
                } else if (node.isBigDecimal()) {
                    gen.writeNumber(node.decimalValue());
                } else {
                    gen.writeNumber(node.doubleValue());
                }
                break;
            case BOOLEAN:
                gen.writeBoolean(node.booleanValue());
                break;
            case NULL:
            case MISSING:
                gen.writeNull();
                break;
            default: // binary and POJO nodes: only a mapper makes them, and packet values are parsed text
                throw new IllegalStateException("a packet holds a " + node.getNodeType() + " node");
        }
    }

    /**
     * Returns the UTF-8 length of a string without encoding it.
     *
     * @param s the string, assumed well-formed
     * @return its size in UTF-8 bytes
     */
    public static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static String escapeUnsendable(String json) {
        StringBuilder out = null;
        for (int i = 0, len = json.length(); i < len; i++) {
            char c = json.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(json.charAt(i + 1));
            if (pair) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean unsendable = Character.isSurrogate(c) || c == '\uFFFE' || c == '\uFFFF';
            if (unsendable && out == null) {
                out = new StringBuilder(len + 16).append(json, 0, i);
            }
            if (out != null) {
                if (unsendable) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? json : out.toString();
    }

    private static String where(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        return loc == null ? "an unknown position" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
