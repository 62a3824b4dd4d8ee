package io.lambdarelay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.internal.PacketCodec;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * A packet's user values as objects: {@code putObject} and {@code get(key, Type.class)} through a
 * relay's value mapper, with every way that can fail turned into an {@link InvalidPacketException}
 * that names the key and the type and says what to do, and never shows the value (packets may
 * hold personal data). Jackson's own messages are not passed on, nor its exceptions as causes:
 * they quote map keys and input.
 *
 * <p>A value is written with the mapper into a generator of this class's own, whose nesting limit
 * (one level less than a packet's, its own object being the first) stops a value that refers to
 * itself long before the stack runs out, and whose output stops at SQS's 1 MiB; then it is read
 * back with the packet parser, so what a packet holds is exactly what the next worker will read.
 * {@link RefusedTypes} are refused before and while writing, and as read targets.
 *
 * <p>Immutable and thread-safe: the mapper is the relay's own copy, configured once and never
 * handed out.
 */
final class ValueCodec {
    /** How deep a value may nest: one level less than a packet, whose own object is the first level. */
    static final int MAX_VALUE_DEPTH = PacketCodec.MAX_NESTING_DEPTH - 1;

    /** Writes values; immutable once built, so safe to share. */
    private static final JsonFactory WRITING = JsonFactory.builder()
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_VALUE_DEPTH).build())
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT) // a failed value is dropped, not completed
            .build();

    /** The codec of relays given no mapper; it builds none until a value is written or read. */
    private static final ValueCodec DEFAULTS = new ValueCodec(null, null);

    /** The mapper, or {@code null} for the library's, which {@link DefaultMapper} builds on first use. */
    private final ObjectMapper mapper;
    private final ObjectWriter writer;

    private ValueCodec(ObjectMapper guarded, ObjectWriter writer) {
        this.mapper = guarded;
        this.writer = writer;
    }

    private static ValueCodec on(ObjectMapper guarded) {
        return new ValueCodec(guarded, writerOf(guarded));
    }

    /** A mapper that closes Closeable values after writing them must not close a user's object. */
    private static ObjectWriter writerOf(ObjectMapper guarded) {
        return guarded.writer().without(SerializationFeature.CLOSE_CLOSEABLE);
    }

    /**
     * {@return the codec of packets read with {@link RelayPacket#fromJson} and of relays given no
     * value mapper: the {@linkplain #defaultMapper() library's mapper}, built on first use, so
     * neither a relay's start nor a worker that reads only plain values pays for it}
     */
    static ValueCodec defaults() {
        return DEFAULTS;
    }

    /** Lazy holder: the JVM initialises it, once and thread-safely, on first use. */
    private static final class DefaultMapper {
        static final ObjectMapper MAPPER = defaultMapper().registerModule(RefusedTypes.module());
        static final ObjectWriter WRITER = writerOf(MAPPER);
    }

    private ObjectMapper mapper() {
        return mapper != null ? mapper : DefaultMapper.MAPPER;
    }

    private ObjectWriter writer() {
        return writer != null ? writer : DefaultMapper.WRITER;
    }

    /**
     * {@return a new mapper with the library's settings for values: java.time types as ISO-8601
     * text (a {@code ZonedDateTime} with its region in brackets, as {@code ZonedDateTime.toString()}
     * writes it), read back without moving them to UTC, and decimals read as exact {@code BigDecimal}}
     */
    static ObjectMapper defaultMapper() {
        return Settings.mapper();
    }

    /**
     * The default settings, in a class of their own: verifying {@code ValueCodec} then needs no
     * jsr310 class, so a relay that writes no objects never loads one.
     */
    private static final class Settings {
        static ObjectMapper mapper() {
            return JsonMapper.builder()
                    .addModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                    .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
                    .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .build();
        }
    }

    /**
     * Makes a codec on a copy of a user's mapper: later changes to theirs do not reach the relay,
     * and the refused types are added to the copy only.
     *
     * @param mapper the user's mapper
     * @return the codec
     * @throws IllegalArgumentException if the mapper cannot be copied
     */
    static ValueCodec of(ObjectMapper mapper) {
        ObjectMapper copy;
        try {
            copy = mapper.copy();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("valueMapper: a " + mapper.getClass().getName() + " cannot be copied "
                    + "(it does not override ObjectMapper.copy()); pass a mapper built with JsonMapper.builder(), "
                    + "or override copy()", e);
        }
        return on(copy.registerModule(RefusedTypes.module()));
    }

    /**
     * Writes a value as packet JSON.
     *
     * @param key the packet key, for messages
     * @param value the value, or {@code null}
     * @return its tree, as the packet parser reads it
     * @throws InvalidPacketException ({@link Reason#UNWRITABLE_VALUE}) if the value cannot be written
     */
    JsonNode toTree(String key, Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        Class<?> type = value.getClass();
        String refused = RefusedTypes.why(type);
        if (refused != null) {
            throw unwritable(key, type, refused);
        }
        Bounded out = new Bounded(PacketCodec.MAX_SQS_MESSAGE_BYTES);
        try (JsonGenerator gen = WRITING.createGenerator(out)) {
            writer().writeValue(gen, value);
        } catch (IOException | RuntimeException e) { // a getter's own exception, if the mapper does not wrap them
            throw unwritable(key, type, whyUnwritable(e));
        }
        return readBack(key, type, out.text());
    }

    /**
     * Reads a value as an object.
     *
     * @param key the packet key, for messages
     * @param node the value, not JSON null
     * @param type the target type
     * @param <T> the target type
     * @return the object
     * @throws InvalidPacketException ({@link Reason#WRONG_TYPE}) if the value does not convert
     */
    <T> T fromTree(String key, JsonNode node, Class<T> type) {
        String refused = RefusedTypes.why(type);
        if (refused != null) {
            throw new InvalidPacketException(Reason.WRONG_TYPE, "packet key '" + key + "' cannot be read as "
                    + type.getName() + ": " + refused, null, null);
        }
        if (JsonNode.class.isAssignableFrom(type) && type.isInstance(node)) {
            return type.cast(node.deepCopy()); // Jackson would hand out the packet's own node
        }
        try {
            return mapper().treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidPacketException(Reason.WRONG_TYPE, "packet key '" + key + "' holds "
                    + ControlCodec.typeName(node) + " that does not convert to " + type.getName() + whyNotRead(e, type)
                    + "; read it as the type it was put as, or as a Map or JsonNode to look inside", null, null);
        }
    }

    private static JsonNode readBack(String key, Class<?> type, String json) {
        try {
            return PacketCodec.parse(json, PacketCodec.MAX_SQS_MESSAGE_BYTES, null);
        } catch (PacketTooLargeException e) {
            throw unwritable(key, type, tooLarge());
        } catch (InvalidPacketException e) {
            String why = e.reason() == Reason.DUPLICATE_KEY
                    ? "its JSON has a name twice in one object (a custom serializer or @JsonAnyGetter writes it twice)"
                    : e.reason() == Reason.LIMIT_EXCEEDED
                    ? "its JSON exceeds what a worker reads (numbers of at most " + PacketCodec.MAX_NUMBER_LENGTH
                            + " characters); put such a number as a string"
                    : "its JSON cannot be read back as a packet value (" + e.reason() + ")";
            throw unwritable(key, type, why);
        }
    }

    private static InvalidPacketException unwritable(String key, Class<?> type, String why) {
        return new InvalidPacketException(Reason.UNWRITABLE_VALUE, "packet key '" + key + "' cannot hold this "
                + type.getName() + ": " + why, null, null);
    }

    private static String tooLarge() {
        return "its JSON is over 1 MiB, more than SQS carries; put large data in S3 and put its key";
    }

    /** Why writing failed, from the exception's types and path; never from its message. */
    private static String whyUnwritable(Exception e) {
        if (find(e, Bounded.Full.class) != null) {
            return tooLarge();
        }
        RefusedTypes.Refused refused = find(e, RefusedTypes.Refused.class);
        if (refused != null) {
            return "it holds a " + refused.type().getName() + where(e) + ", and " + refused.hint();
        }
        String cycle = "; put a tree of plain values, with ids instead of references back to what holds them";
        if (find(e, StreamConstraintsException.class) != null) {
            return "it refers to itself (a cycle) or nests deeper than " + MAX_VALUE_DEPTH + " levels" + where(e) + cycle;
        }
        if (e instanceof InvalidDefinitionException) {
            InvalidDefinitionException d = (InvalidDefinitionException) e;
            String original = d.getOriginalMessage() == null ? "" : d.getOriginalMessage();
            if (original.startsWith("Direct self-reference")) {
                return "it refers to itself (a cycle)" + where(e) + cycle;
            }
            JavaType t = d.getType();
            return "the value mapper has no way to write " + (t == null ? "a type in it" : t.getRawClass().getName())
                    + where(e) + " (no properties, or a type that needs a Jackson module); put a record, a bean with "
                    + "getters, or lists and maps of them, or give the relay a value mapper that can write it "
                    + "(Relay.builder().valueMapper(..))";
        }
        Throwable root = e;
        for (int i = 0; i < 32 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        return "writing it failed with " + root.getClass().getName() + where(e) + "; make what it reads readable, "
                + "or leave it out of the JSON (@JsonIgnore)";
    }

    /** Why reading failed, from the exception's types; never from its message or path, which quote the JSON. */
    private static String whyNotRead(Exception e, Class<?> type) {
        RefusedTypes.Refused refused = find(e, RefusedTypes.Refused.class);
        if (refused != null) {
            return " (it would hold a " + refused.type().getName() + ", and " + refused.hint() + ")";
        }
        if (e instanceof UnrecognizedPropertyException) {
            Class<?> owner = ((UnrecognizedPropertyException) e).getReferringClass();
            return " (it has a property that " + (owner == null ? type : owner).getName() + " does not know)";
        }
        if (e instanceof ValueInstantiationException) {
            Throwable cause = e.getCause();
            return " (creating a " + ((ValueInstantiationException) e).getType().getRawClass().getName() + " threw "
                    + (cause == null ? "an exception" : cause.getClass().getName()) + ")";
        }
        if (e instanceof InvalidDefinitionException) {
            JavaType t = ((InvalidDefinitionException) e).getType();
            return " (the value mapper cannot create " + (t == null ? "a type in it" : "a " + t.getRawClass().getName())
                    + ": no constructor it can use, or a type that needs a Jackson module)";
        }
        if (e instanceof MismatchedInputException) {
            Class<?> target = ((MismatchedInputException) e).getTargetType();
            if (target != null && target != type) {
                return " (a part of it does not fit " + target.getName() + ")";
            }
        }
        return "";
    }

    /**
     * Where in the value writing failed: the innermost property of a bean or record on the path,
     * as {@code " (at property 'name' of com.acme.Job)"}. Map keys are data and never shown.
     */
    private static String where(Exception e) {
        if (!(e instanceof JsonMappingException)) {
            return "";
        }
        List<JsonMappingException.Reference> path = ((JsonMappingException) e).getPath();
        for (int i = path.size() - 1; i >= 0; i--) {
            JsonMappingException.Reference ref = path.get(i);
            Object from = ref.getFrom();
            if (from != null && !(from instanceof Map) && ref.getFieldName() != null) {
                Class<?> owner = from instanceof Class ? (Class<?>) from : from.getClass();
                return " (at property '" + ref.getFieldName() + "' of " + owner.getName() + ")";
            }
        }
        return "";
    }

    private static <E extends Throwable> E find(Throwable t, Class<E> type) {
        for (int i = 0; t != null && i < 32; i++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** A writer that gives up past a number of characters, so a huge value is not built in memory. */
    private static final class Bounded extends Writer {
        private final StringBuilder text = new StringBuilder(256);
        private final int limit;

        Bounded(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(char[] chars, int off, int len) throws Full {
            if (text.length() + len > limit) {
                throw new Full();
            }
            text.append(chars, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        String text() {
            return text.toString();
        }

        /** The limit was reached. */
        static final class Full extends IOException {
            private static final long serialVersionUID = 1L;
        }
    }
}
