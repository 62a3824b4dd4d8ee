package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.ser.Serializers;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.ArrayType;
import com.fasterxml.jackson.databind.type.CollectionType;
import com.fasterxml.jackson.databind.type.MapType;
import com.fasterxml.jackson.databind.type.ReferenceType;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Member;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Lock;
import java.util.stream.BaseStream;

/**
 * The types a packet refuses to hold, whatever the value mapper could make of them: machinery
 * and open resources, whose bean properties say nothing a later invocation could use (a
 * {@code Thread} would be written as its name, priority and stack trace) and some of which
 * Jackson would even consume or close. A value of such a type, at any depth, is an
 * {@link InvalidPacketException} on {@code putObject}; such a target type is one on
 * {@code get(key, Type.class)}.
 *
 * <p>The rule, in the order it is checked (a type matches if it is or extends the type named):
 * threads; code ({@code Class}, {@code ClassLoader}, {@code Module}, {@code Package}, reflection
 * members, method handles); the Lambda {@code Context}; runtime machinery (executors, futures,
 * locks, processes); one-shot views (iterators, streams); and anything {@link AutoCloseable}
 * (I/O streams, readers, writers, channels, sockets, SDK clients, JDBC connections). Stateless.
 */
final class RefusedTypes {

    /** One rule: a type and what to put instead. */
    private record Rule(Class<?> type, String hint) {
    }

    private static final String MACHINERY = "runtime machinery is not data; put the values the work needs";
    private static final String CODE = "code is not data; put a name (such as Class.getName()) and look it up again";

    private static final List<Rule> RULES = List.of(
            new Rule(Thread.class, "a thread is not data; put the values its work needs"),
            new Rule(ThreadGroup.class, "a thread group is not data; put the values its work needs"),
            new Rule(Class.class, CODE),
            new Rule(ClassLoader.class, CODE),
            new Rule(java.lang.Module.class, CODE),
            new Rule(Package.class, CODE),
            new Rule(Member.class, CODE),
            new Rule(MethodHandle.class, CODE),
            new Rule(Context.class, "the Lambda context lives for one invocation; put what you need of it, such as "
                    + "getAwsRequestId()"),
            new Rule(Executor.class, MACHINERY),
            new Rule(Future.class, MACHINERY),
            new Rule(Lock.class, MACHINERY),
            new Rule(Process.class, MACHINERY),
            new Rule(ProcessHandle.class, MACHINERY),
            new Rule(Runtime.class, MACHINERY),
            new Rule(Iterator.class, "an iterator or stream is a one-shot view; collect it into a list first"),
            new Rule(BaseStream.class, "an iterator or stream is a one-shot view; collect it into a list first"),
            new Rule(AutoCloseable.class, "an open resource (stream, reader, channel, socket, client, connection) is "
                    + "not data; put what names it, such as a path, a URL or an S3 key"));

    private RefusedTypes() {
    }

    /**
     * Tells why a type cannot be a packet value.
     *
     * @param type a value's class, or a target type
     * @return what to put instead, or {@code null} if the type is not refused
     */
    static String why(Class<?> type) {
        for (Rule r : RULES) {
            if (r.type().isAssignableFrom(type)) {
                return r.hint();
            }
        }
        return null;
    }

    /**
     * {@return a Jackson module that makes the serializer and deserializer of every refused type
     * throw {@link Refused}; registered last on the relay's copy of the value mapper, so it comes
     * before the mapper's own modules}
     */
    static com.fasterxml.jackson.databind.Module module() {
        return new Guard();
    }

    private static final class Guard extends com.fasterxml.jackson.databind.Module {
        @Override
        public String getModuleName() {
            return "lambda-relay-refused-types";
        }

        @Override
        public Version version() {
            return Version.unknownVersion();
        }

        @Override
        public void setupModule(SetupContext context) {
            context.addSerializers(new RefusingSerializers());
            context.addKeySerializers(new RefusingSerializers());
            context.addDeserializers(new RefusingDeserializers());
        }
    }

    /**
     * A refused type met while writing or reading a value. A {@link JsonMappingException}, so
     * Jackson adds the path to it on the way up instead of wrapping it. Its message names the
     * type only.
     */
    static final class Refused extends JsonMappingException {
        private static final long serialVersionUID = 1L;

        /** The refused class. */
        private final Class<?> type;

        Refused(Class<?> type) {
            super((java.io.Closeable) null, "type " + type.getName() + " is refused as a packet value");
            this.type = type;
        }

        /** {@return the refused class} */
        Class<?> type() {
            return type;
        }

        /** {@return what to put instead} */
        String hint() {
            return why(type);
        }
    }

    private static final class RefusingSerializer extends StdSerializer<Object> {
        private static final long serialVersionUID = 1L;

        RefusingSerializer() {
            super(Object.class);
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws Refused {
            throw new Refused(value.getClass());
        }
    }

    private static final class RefusingDeserializer extends StdDeserializer<Object> {
        private static final long serialVersionUID = 1L;

        RefusingDeserializer(JavaType type) {
            super(type);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws Refused {
            throw new Refused(handledType());
        }
    }

    private static final class RefusingSerializers extends Serializers.Base {
        private static JsonSerializer<?> refusing(JavaType type) {
            return why(type.getRawClass()) == null ? null : new RefusingSerializer();
        }

        @Override
        public JsonSerializer<?> findSerializer(SerializationConfig config, JavaType type, BeanDescription beanDesc) {
            return refusing(type);
        }

        @Override
        public JsonSerializer<?> findReferenceSerializer(SerializationConfig config, ReferenceType type,
                BeanDescription beanDesc, TypeSerializer contentTypeSerializer, JsonSerializer<Object> contentValueSerializer) {
            return refusing(type);
        }

        @Override
        public JsonSerializer<?> findArraySerializer(SerializationConfig config, ArrayType type, BeanDescription beanDesc,
                TypeSerializer elementTypeSerializer, JsonSerializer<Object> elementValueSerializer) {
            return refusing(type);
        }

        @Override
        public JsonSerializer<?> findCollectionSerializer(SerializationConfig config, CollectionType type,
                BeanDescription beanDesc, TypeSerializer elementTypeSerializer, JsonSerializer<Object> elementValueSerializer) {
            return refusing(type);
        }

        @Override
        public JsonSerializer<?> findMapSerializer(SerializationConfig config, MapType type, BeanDescription beanDesc,
                JsonSerializer<Object> keySerializer, TypeSerializer elementTypeSerializer,
                JsonSerializer<Object> elementValueSerializer) {
            return refusing(type);
        }
    }

    private static final class RefusingDeserializers extends Deserializers.Base {
        private static JsonDeserializer<?> refusing(JavaType type) {
            return why(type.getRawClass()) == null ? null : new RefusingDeserializer(type);
        }

        @Override
        public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
                BeanDescription beanDesc) {
            return refusing(type);
        }

        @Override
        public JsonDeserializer<?> findReferenceDeserializer(ReferenceType refType, DeserializationConfig config,
                BeanDescription beanDesc, TypeDeserializer contentTypeDeserializer, JsonDeserializer<?> contentDeserializer) {
            return refusing(refType);
        }

        @Override
        public JsonDeserializer<?> findCollectionDeserializer(CollectionType type, DeserializationConfig config,
                BeanDescription beanDesc, TypeDeserializer elementTypeDeserializer,
                JsonDeserializer<?> elementDeserializer) {
            return refusing(type);
        }

        @Override
        public JsonDeserializer<?> findMapDeserializer(MapType type, DeserializationConfig config,
                BeanDescription beanDesc, KeyDeserializer keyDeserializer, TypeDeserializer elementTypeDeserializer,
                JsonDeserializer<?> elementDeserializer) {
            return refusing(type);
        }
    }
}
