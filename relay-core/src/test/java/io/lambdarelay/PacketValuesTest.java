package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.local.LocalContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Objects in packets ({@code putObject}, {@code get(key, Type.class)}) with the library's value
 * mapper: java.time values as ISO-8601 text, and every value that cannot be a packet value refused
 * with a message that names the key and the type, says what to do, and never shows the value.
 */
class PacketValuesTest {
    private static final String Q = "https://sqs.us-east-1.amazonaws.com/000000000000/relay-q";
    /** Personal data as packets may hold it: it must never reach a message. */
    private static final String SECRET = "canary-7c1e-jane.doe@example.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Instant AT = Instant.parse("2026-12-01T10:15:30.123Z");
    private static final LocalDate DAY = LocalDate.of(2026, 12, 1);
    private static final Duration TOOK = Duration.ofMinutes(90);
    private static final ZonedDateTime MEETING = ZonedDateTime.of(2026, 12, 1, 11, 15, 30, 0, ZoneId.of("Europe/Paris"));
    private static final OffsetDateTime SENT = OffsetDateTime.of(2026, 12, 1, 15, 45, 30, 0, ZoneOffset.ofHoursMinutes(5, 30));
    private static final LocalDateTime LOCAL = LocalDateTime.of(2026, 12, 1, 8, 0);

    private static RelayPacket packet() {
        return RelayPacket.create(new Header(Q, "uuid-1", null, 0, 0, 0, 1, null, null, null, null, null), Policy.NONE,
                ValueCodec.defaults());
    }

    private static InvalidPacketException refused(RelayPacket p, String key, Object value) {
        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> p.putObject(key, value));
        assertEquals(Reason.UNWRITABLE_VALUE, e.reason());
        assertNoSecret(e);
        assertFalse(p.has(key), "the packet is unchanged");
        return e;
    }

    private static void assertNoSecret(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            assertFalse(m.contains(SECRET) || m.contains("jane.doe"), "the message shows the value: " + m);
        }
    }

    private static void assertStartsWith(String prefix, String message) {
        assertTrue(message.startsWith(prefix), "expected '" + prefix + "...', got: " + message);
    }

    private static void assertContains(String part, String message) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    // ---- java.time ------------------------------------------------------------------------------

    /**
     * A job's times.
     *
     * @param at an instant
     * @param day a date
     * @param took a duration
     * @param meeting a time in a region
     * @param sent a time at an offset
     * @param local a local date and time
     */
    record Times(Instant at, LocalDate day, Duration took, ZonedDateTime meeting, OffsetDateTime sent,
            LocalDateTime local) {
    }

    @Test
    void putObject_javaTimeValues_areWrittenAsIsoText_andReadBackEqualByTheNextWorker() throws Exception {
        RelayPacket p = packet().putObject("at", AT).putObject("day", DAY).putObject("took", TOOK)
                .putObject("meeting", MEETING).putObject("sent", SENT).putObject("local", LOCAL);

        JsonNode wire = JSON.readTree(p.toJson());
        assertEquals("2026-12-01T10:15:30.123Z", wire.get("at").textValue());
        assertEquals("2026-12-01", wire.get("day").textValue());
        assertEquals("PT1H30M", wire.get("took").textValue());
        assertEquals("2026-12-01T11:15:30+01:00[Europe/Paris]", wire.get("meeting").textValue());
        assertEquals("2026-12-01T15:45:30+05:30", wire.get("sent").textValue());
        assertEquals("2026-12-01T08:00:00", wire.get("local").textValue());

        RelayPacket next = RelayPacket.fromJson(p.toJson());
        assertEquals(AT, next.get("at", Instant.class));
        assertEquals(DAY, next.get("day", LocalDate.class));
        assertEquals(TOOK, next.get("took", Duration.class));
        assertEquals(MEETING, next.get("meeting", ZonedDateTime.class), "zone kept, not moved to UTC");
        assertEquals(SENT, next.get("sent", OffsetDateTime.class), "offset kept, not moved to UTC");
        assertEquals(LOCAL, next.get("local", LocalDateTime.class));
    }

    @Test
    void putObject_recordHoldingJavaTimeValues_roundTripsEqual() throws Exception {
        Times times = new Times(AT, DAY, TOOK, MEETING, SENT, LOCAL);
        RelayPacket p = packet().putObject("times", times);

        assertEquals("2026-12-01T10:15:30.123Z", JSON.readTree(p.toJson()).get("times").get("at").textValue(),
                "text, not a timestamp number");
        assertEquals(times, RelayPacket.fromJson(p.toJson()).get("times", Times.class));
        assertEquals(times, p.get("times", Times.class), "the same before it travels");
    }

    @Test
    void defaultValueMapper_isANewMapperWithTheRelaysSettings() throws Exception {
        ObjectMapper a = Relay.defaultValueMapper();
        assertEquals("\"PT1H30M\"", a.writeValueAsString(TOOK));
        assertEquals(MEETING, a.readValue(a.writeValueAsString(MEETING), ZonedDateTime.class));
        assertFalse(a == Relay.defaultValueMapper(), "each call gives a mapper of its own to change");
    }

    @Test
    void get_asATree_givesACopy_thatCannotChangeThePacket() {
        RelayPacket p = packet().putObject("job", Map.of("s3Key", "a.csv"));

        p.get("job", com.fasterxml.jackson.databind.node.ObjectNode.class).put("s3Key", "b.csv").putPOJO("t", new Object());

        assertEquals(Map.of("s3Key", "a.csv"), p.get("job", Map.class));
        assertTrue(p.toJson().endsWith("\"job\":{\"s3Key\":\"a.csv\"}}"), p.toJson());
    }

    // ---- values that cannot be written ----------------------------------------------------------

    @Test
    void putObject_listThatHoldsItself_isRefusedNamingKeyAndType_withoutStackOverflow() {
        List<Object> rows = new ArrayList<>();
        rows.add(SECRET);
        rows.add(rows);

        String m = refused(packet(), "rows", rows).getMessage();

        assertStartsWith("packet key 'rows' cannot hold this java.util.ArrayList: it refers to itself (a cycle) or nests "
                + "deeper than 63 levels", m);
        assertContains("with ids instead of references back", m);
    }

    @Test
    void putObject_mapThatHoldsItself_isRefused_andItsKeysAreNotShown() {
        Map<String, Object> byEmail = new HashMap<>();
        byEmail.put(SECRET, byEmail);

        String m = refused(packet(), "index", byEmail).getMessage();

        assertStartsWith("packet key 'index' cannot hold this java.util.HashMap: it refers to itself (a cycle)", m);
    }

    /** One end of a cycle of beans. */
    public static final class Parent {
        public Child child;
        public String email = SECRET;
    }

    /** The other end. */
    public static final class Child {
        public Parent parent;
    }

    /** A bean that holds itself. */
    public static final class Looped {
        public Looped self = this;
        public String email = SECRET;
    }

    @Test
    void putObject_beansThatReferToEachOther_areRefusedNamingAProperty() {
        Parent parent = new Parent();
        parent.child = new Child();
        parent.child.parent = parent;

        String m = refused(packet(), "family", parent).getMessage();

        assertStartsWith("packet key 'family' cannot hold this " + Parent.class.getName() + ": it refers to itself", m);
        assertContains("(at property '", m);
    }

    @Test
    void putObject_beanThatHoldsItself_isRefusedNamingTheProperty() {
        String m = refused(packet(), "loop", new Looped()).getMessage();

        assertStartsWith("packet key 'loop' cannot hold this " + Looped.class.getName() + ": it refers to itself (a cycle) "
                + "(at property 'self' of " + Looped.class.getName() + ")", m);
    }

    private static Object nested(int depth) {
        Object v = List.of();
        for (int i = 1; i < depth; i++) {
            v = List.of(v);
        }
        return v;
    }

    @Test
    void putObject_nestingThatAWorkerReads_isKept_oneLevelMoreIsRefusedAtOnce() {
        RelayPacket p = packet().putObject("deep", nested(63));
        assertTrue(RelayPacket.fromJson(p.toJson()).has("deep"), "63 levels in a packet's 64 travel");

        String m = refused(p, "deeper", nested(64)).getMessage();

        assertStartsWith("packet key 'deeper' cannot hold this ", m);
        assertContains("nests deeper than 63 levels", m);
    }

    @Test
    void putObject_plainObject_isRefusedWithWhatToPutInstead() {
        String m = refused(packet(), "x", new Object()).getMessage();

        assertStartsWith("packet key 'x' cannot hold this java.lang.Object: the value mapper has no way to write "
                + "java.lang.Object", m);
        assertContains("put a record, a bean with getters", m);
    }

    @Test
    void putObject_typeThatNeedsAModule_isRefusedNamingIt_notWithJacksonsAdvice() {
        String m = refused(packet(), "maybe", Optional.of(SECRET)).getMessage();

        assertStartsWith("packet key 'maybe' cannot hold this java.util.Optional: the value mapper has no way to write", m);
        assertContains("Relay.builder().valueMapper(..)", m);
        assertFalse(m.contains("jackson-datatype-jdk8"), m);
    }

    /** A bean whose getter throws, with the value in the exception's message. */
    public static final class Account {
        public String getOwner() {
            return SECRET;
        }

        public long getBalance() {
            throw new IllegalStateException("balance of " + SECRET + " is locked");
        }
    }

    @Test
    void putObject_beanWhoseGetterThrows_isRefusedNamingThePropertyAndTheExceptionType_notItsMessage() {
        InvalidPacketException e = refused(packet(), "account", new Account());

        assertStartsWith("packet key 'account' cannot hold this " + Account.class.getName() + ": writing it failed with "
                + "java.lang.IllegalStateException (at property 'balance' of " + Account.class.getName() + ")", e.getMessage());
        assertNull(e.getCause(), "Jackson's exception, which quotes the getter's message, is not kept");
    }

    @Test
    void putObject_valueOverWhatSqsCarries_isRefusedBeforeItIsBuiltWhole() {
        List<String> rows = Collections.nCopies(20, SECRET.repeat(2_000));

        String m = refused(packet(), "rows", rows).getMessage();

        assertStartsWith("packet key 'rows' cannot hold this ", m);
        assertContains("its JSON is over 1 MiB, more than SQS carries; put large data in S3", m);
    }

    @Test
    void putObject_numberLongerThanAWorkerReads_isRefused() {
        String m = refused(packet(), "n", new java.math.BigInteger("9".repeat(101))).getMessage();

        assertStartsWith("packet key 'n' cannot hold this java.math.BigInteger: its JSON exceeds what a worker reads", m);
    }

    // ---- refused types ---------------------------------------------------------------------------

    static Stream<Object> machinery() {
        Thread unstarted = new Thread(() -> { }, SECRET);
        return Stream.of(unstarted, new ThreadGroup(SECRET), String.class, PacketValuesTest.class.getClassLoader(),
                new ByteArrayInputStream(SECRET.getBytes(StandardCharsets.UTF_8)), new java.io.StringWriter(),
                ForkJoinPool.commonPool(), CompletableFuture.completedFuture(SECRET), new ReentrantLock(),
                List.of(SECRET).iterator(), Stream.of(SECRET),
                LocalContext.builder().functionName(SECRET).build());
    }

    @ParameterizedTest
    @MethodSource("machinery")
    void putObject_machineryAndOpenResources_areRefusedNamingKeyAndType(Object value) {
        String m = refused(packet(), "v", value).getMessage();

        assertStartsWith("packet key 'v' cannot hold this " + value.getClass().getName() + ": ", m);
        assertTrue(m.contains("is not data") || m.contains("one-shot view") || m.contains("lives for one invocation"), m);
    }

    /**
     * A job that holds machinery.
     *
     * @param owner data
     * @param worker not data
     */
    record Job(String owner, Object worker) {
    }

    @Test
    void putObject_machineryInsideARecord_isRefusedNamingTheProperty() {
        String m = refused(packet(), "job", new Job(SECRET, new Thread(() -> { }, SECRET))).getMessage();

        assertEquals("packet key 'job' cannot hold this " + Job.class.getName() + ": it holds a java.lang.Thread (at property "
                + "'worker' of " + Job.class.getName() + "), and a thread is not data; put the values its work needs", m);
    }

    @Test
    void putObject_machineryInsideAMap_isRefusedWithoutShowingTheMapKeys() {
        Map<String, Object> byEmail = Map.of(SECRET, List.of(new ByteArrayInputStream(new byte[1])));

        String m = refused(packet(), "streams", byEmail).getMessage();

        assertStartsWith("packet key 'streams' cannot hold this " + byEmail.getClass().getName() + ": it holds a "
                + "java.io.ByteArrayInputStream, and an open resource", m);
    }

    // ---- values that do not convert -------------------------------------------------------------

    /**
     * A record with an instant.
     *
     * @param at the instant
     */
    record Stamp(Instant at) {
    }

    @Test
    void get_textThatIsNoInstant_namesKeyAndTargetType_notTheValue() {
        RelayPacket p = packet().put("at", SECRET);

        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> p.get("at", Instant.class));

        assertEquals(Reason.WRONG_TYPE, e.reason());
        assertStartsWith("packet key 'at' holds a string that does not convert to java.time.Instant; read it as the "
                + "type it was put as", e.getMessage());
        assertNoSecret(e);
    }

    @Test
    void get_recordWhosePartDoesNotFit_namesThePartsType() {
        RelayPacket p = packet().putObject("stamp", Map.of("at", SECRET));

        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> p.get("stamp", Stamp.class));

        assertStartsWith("packet key 'stamp' holds an object that does not convert to " + Stamp.class.getName()
                + " (a part of it does not fit java.time.Instant)", e.getMessage());
        assertNoSecret(e);
    }

    @Test
    void get_objectWithAPropertyTheRecordLacks_saysSo_withoutNamingTheProperty() {
        RelayPacket p = packet().putObject("stamp", Map.of(SECRET, 1));

        InvalidPacketException e = assertThrows(InvalidPacketException.class, () -> p.get("stamp", Stamp.class));

        assertStartsWith("packet key 'stamp' holds an object that does not convert to " + Stamp.class.getName()
                + " (it has a property that " + Stamp.class.getName() + " does not know)", e.getMessage());
        assertNoSecret(e);
    }

    /**
     * A record that would hold machinery.
     *
     * @param worker not data
     */
    record Holder(Thread worker) {
    }

    @Test
    void get_asARefusedType_orARecordHoldingOne_isRefused() {
        RelayPacket p = packet().putObject("w", Map.of("name", SECRET)).putObject("h", Map.of("worker", Map.of("name", SECRET)));

        InvalidPacketException direct = assertThrows(InvalidPacketException.class, () -> p.get("w", Thread.class));
        InvalidPacketException nested = assertThrows(InvalidPacketException.class, () -> p.get("h", Holder.class));

        assertEquals(Reason.WRONG_TYPE, direct.reason());
        assertEquals("packet key 'w' cannot be read as java.lang.Thread: a thread is not data; put the values its work "
                + "needs", direct.getMessage());
        assertStartsWith("packet key 'h' holds an object that does not convert to " + Holder.class.getName()
                + " (it would hold a java.lang.Thread, and a thread is not data", nested.getMessage());
        assertNoSecret(nested);
    }
}
