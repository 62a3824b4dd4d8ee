package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.testing.Fixtures;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelayPacketTest {
    private static final String Q = "https://sqs.us-east-1.amazonaws.com/000000000000/relay-q";

    private static RelayPacket packet() {
        return RelayPacket.create(new Header(Q, "uuid-1", null, 0, 0, 0, 1, null, null, null, null, null), Policy.NONE,
                ValueCodec.defaults());
    }

    @Test
    void toJson_writesReservedKeysFirstInNodeLayout_thenUserKeysInOrder() throws Exception {
        RelayPacket p = packet().put("b", 2L).put("a", "x");
        JsonNode tree = new ObjectMapper().readTree(p.toJson());
        List<String> keys = List.copyOf(iterable(tree.fieldNames()));
        assertEquals(List.of("QueueUrl", "UUID", "stats", "b", "a"), keys);
        assertEquals(Q, tree.get("QueueUrl").asText());
        assertEquals("uuid-1", tree.get("UUID").asText());
        assertEquals(0, tree.get("stats").get("sqsCount").asLong());
    }

    @Test
    void fromJson_roundTripsEveryValueType() {
        record Point(int x, int y) { }
        RelayPacket p = packet().put("s", "text").put("n", 42L).put("d", 2.5).put("big", new BigDecimal("12345678901234567890.5"))
                .put("flag", true).putObject("point", new Point(3, 4)).putObject("list", List.of(1, 2, 3))
                .put("nothing", (String) null);
        RelayPacket back = RelayPacket.fromJson(p.toJson());
        assertEquals(p.toJson(), back.toJson(), "a packet survives its JSON round trip");
        assertEquals("text", back.getString("s"));
        assertEquals(42L, back.getLong("n", 0));
        assertEquals(42, back.getInt("n", 0));
        assertEquals(2.5, back.getDouble("d", 0), 0.0);
        assertEquals(new BigDecimal("12345678901234567890.5"), back.getDecimal("big"));
        assertTrue(back.getBoolean("flag", false));
        assertEquals(new Point(3, 4), back.get("point", Point.class));
        assertTrue(back.has("nothing"));
        assertNull(back.getString("nothing"));
        assertEquals("dflt", back.getString("missing", "dflt"));
        assertEquals(7L, back.getLong("missing", 7));
    }

    @Test
    void fromJson_readsAPacketWrittenByTheNodePackage() {
        RelayPacket p = RelayPacket.fromJson(Fixtures.text("node-packet.json"));
        assertEquals("https://sqs.eu-west-1.amazonaws.com/123456789012/awsRelayQueue_importWorker_1541512345678", p.queueUrl());
        assertEquals("6f0f3e6e-1c0e-4d3c-9a55-0d6e9d7c1b21", p.mappingUuid());
        assertEquals(3, p.sqsCount());
        assertEquals(0, p.hop());
        assertNull(p.relayId());
        assertEquals(1500, p.getLong("offset", -1));
        assertEquals(0, p.getLong("attempt", -1));
        assertEquals(List.of("attempt", "offset", "file"), List.copyOf(p.keys()));
    }

    @Test
    void fromJson_keepsStatsKeysItDoesNotKnow() throws Exception {
        String json = "{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"stats\":{\"sqsCount\":1,\"future\":{\"x\":1}}}";
        JsonNode again = new ObjectMapper().readTree(RelayPacket.fromJson(json).toJson());
        assertEquals(1, again.get("stats").get("future").get("x").asInt());
    }

    @Test
    void fromJson_withoutStats_startsCountAtZero() {
        RelayPacket p = RelayPacket.fromJson("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\"}");
        assertEquals(0, p.sqsCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"QueueUrl", "UUID", "stats"})
    void put_reservedKey_isRefusedWithTheKeyNamed(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> packet().put(key, "x"));
        assertTrue(e.getMessage().contains("'" + key + "' is reserved"), e.getMessage());
    }

    @Test
    void put_nonFiniteDouble_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> packet().put("x", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> packet().put("x", Double.POSITIVE_INFINITY));
    }

    @Test
    void get_wrongType_throwsTypedErrorNamingKeyAndTypes() {
        RelayPacket p = packet().put("name", "secret-value").put("n", 1.5);
        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> p.getLong("name", 0));
        assertEquals(Reason.WRONG_TYPE, e.reason());
        assertEquals("packet key 'name' holds a string, expected a whole number", e.getMessage());
        assertFalse(e.getMessage().contains("secret-value"));
        assertEquals(Reason.WRONG_TYPE, assertThrows(InvalidPacketException.class, () -> p.getInt("n", 0)).reason());
        assertEquals(Reason.WRONG_TYPE, assertThrows(InvalidPacketException.class, () -> p.getString("n")).reason());
        assertEquals(Reason.WRONG_TYPE, assertThrows(InvalidPacketException.class, () -> p.getBoolean("n", false)).reason());
        assertEquals(Reason.WRONG_TYPE, assertThrows(InvalidPacketException.class, () -> p.get("name", Map.class)).reason());
    }

    @Test
    void toString_showsIdsAndCountersButNeverValues() {
        RelayPacket p = packet().put("email", "alice@example.com");
        p.header(new Header(p.queueUrl(), p.mappingUuid(), "r1", 0, 0, 0, 1, null, null, null, null, null));
        String s = p.toString();
        assertTrue(s.contains("relayId=r1"), s);
        assertFalse(s.contains("alice"), s);
        assertFalse(s.contains("email"), s);
    }

    @Test
    void copy_isIndependent() {
        RelayPacket a = packet().put("n", 1L);
        RelayPacket b = a.copy().put("n", 2L);
        assertEquals(1, a.getLong("n", 0));
        assertEquals(2, b.getLong("n", 0));
    }

    // ---- hostile and broken input ---------------------------------------------------------------

    private static Reason reasonOf(String json) {
        return assertThrows(InvalidPacketException.class, () -> RelayPacket.fromJson(json)).reason();
    }

    @Test
    void fromJson_emptyOrBlankBody_isEmpty() {
        assertEquals(Reason.EMPTY, reasonOf(""));
        assertEquals(Reason.EMPTY, reasonOf("   \n"));
        assertEquals(Reason.EMPTY, reasonOf(null));
    }

    @Test
    void fromJson_truncatedJson_isMalformed() {
        assertEquals(Reason.MALFORMED_JSON, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u"));
    }

    @Test
    void fromJson_trailingGarbage_isMalformed() {
        InvalidPacketException e = assertThrows(InvalidPacketException.class,
                () -> RelayPacket.fromJson("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\"} trailing"));
        assertEquals(Reason.MALFORMED_JSON, e.reason());
        assertTrue(e.getMessage().contains("after its JSON value"), e.getMessage());
    }

    @Test
    void fromJson_tenThousandDeepNesting_isRefusedWithoutStackOverflow() {
        String deep = "{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertEquals(Reason.LIMIT_EXCEEDED, reasonOf(deep));
    }

    @Test
    void fromJson_duplicateKey_isRefused() {
        assertEquals(Reason.DUPLICATE_KEY, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"a\":1,\"a\":2}"));
        assertEquals(Reason.DUPLICATE_KEY, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"QueueUrl\":\"other\",\"UUID\":\"u\"}"));
    }

    @Test
    void fromJson_65537BytePacket_isTooLargeWithSizeAndLimit() {
        String head = "{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"pad\":\"";
        String json = head + "x".repeat(65_537 - head.length() - 2) + "\"}";
        assertEquals(65_537, json.getBytes(StandardCharsets.UTF_8).length);
        PacketTooLargeException e = assertThrows(PacketTooLargeException.class, () -> RelayPacket.fromJson(json));
        assertEquals(65_537, e.sizeBytes());
        assertEquals(65_536, e.limitBytes());
        assertTrue(e.getMessage().startsWith("relay packet is 65537 bytes, limit is 65536"), e.getMessage());
        // the same packet is fine under a raised limit
        assertEquals(65_537 - head.length() - 2, RelayPacket.fromJson(json, 70_000).getString("pad").length());
    }

    @Test
    void fromJson_notAnObject_isRefused() {
        assertEquals(Reason.NOT_AN_OBJECT, reasonOf("[1,2]"));
        assertEquals(Reason.NOT_AN_OBJECT, reasonOf("\"text\""));
        assertEquals(Reason.NOT_AN_OBJECT, reasonOf("null"));
    }

    @Test
    void fromJson_missingOrMistypedReservedKeys_areRefused() {
        assertEquals(Reason.MISSING_KEY, reasonOf("{\"UUID\":\"u\"}"));
        assertEquals(Reason.MISSING_KEY, reasonOf("{\"QueueUrl\":\"" + Q + "\"}"));
        assertEquals(Reason.WRONG_TYPE, reasonOf("{\"QueueUrl\":42,\"UUID\":\"u\"}"));
        assertEquals(Reason.WRONG_TYPE, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":[\"u\"]}"));
        assertEquals(Reason.WRONG_TYPE, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"stats\":\"x\"}"));
        assertEquals(Reason.WRONG_TYPE, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"stats\":{\"sqsCount\":\"3\"}}"));
        assertEquals(Reason.WRONG_TYPE, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"stats\":{\"hop\":1.5}}"));
        assertEquals(Reason.WRONG_TYPE, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"stats\":{\"relayId\":7}}"));
        assertEquals(Reason.INVALID_VALUE, reasonOf("{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"stats\":{\"hop\":-1}}"));
    }

    @Test
    void fromJson_millionDigitNumber_isRefusedQuickly() {
        String json = "{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"n\":" + "9".repeat(1_000_000) + "}";
        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> RelayPacket.fromJson(json, 1_048_576));
        assertEquals(Reason.LIMIT_EXCEEDED, e.reason());
    }

    @Test
    void fromJson_classTypedPayload_isPlainData() {
        String json = "{\"QueueUrl\":\"" + Q + "\",\"UUID\":\"u\",\"x\":{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"id\"]}}";
        RelayPacket p = RelayPacket.fromJson(json);
        @SuppressWarnings("unchecked")
        Map<String, Object> x = p.get("x", Map.class);
        assertEquals("java.lang.ProcessBuilder", x.get("@class"));
    }

    @Test
    void loneSurrogateAndNul_travelAsEscapes_andReadBackUnchanged() {
        String odd = "a\uD800b\u0000c\uDFFFd\uFFFF";
        RelayPacket p = packet().put("odd", odd).put("emoji", "\uD83D\uDE00");
        String json = p.toJson();
        assertTrue(json.contains("\\ud800"), json);
        assertTrue(json.contains("\\u0000"), json);
        assertTrue(json.contains("\uD83D\uDE00"), "valid pairs stay as they are");
        assertTrue(json.replace("\uD83D\uDE00", "").chars().noneMatch(c -> Character.isSurrogate((char) c)),
                "no raw lone surrogate is left in the body");
        assertEquals(odd, RelayPacket.fromJson(json).getString("odd"));
        assertEquals("\uD83D\uDE00", RelayPacket.fromJson(json).getString("emoji"));
    }

    @Test
    void sizeBytes_countsUtf8() {
        RelayPacket p = packet().put("t", "\u00e9\u20ac\uD83D\uDE00");
        assertEquals(p.toJson().getBytes(StandardCharsets.UTF_8).length, p.sizeBytes());
    }

    @Test
    void fromJson_limitOutsideSqsRange_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> RelayPacket.fromJson("{}", 0));
        assertThrows(IllegalArgumentException.class, () -> RelayPacket.fromJson("{}", 1_048_577));
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
