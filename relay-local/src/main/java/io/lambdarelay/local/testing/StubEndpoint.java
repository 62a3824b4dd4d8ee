package io.lambdarelay.local.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lambdarelay.local.internal.SystemProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An AWS endpoint for tests of the SDK clients that code builds for itself from defaults (such as
 * {@code Relay.create()}), which a test cannot configure: an HTTP server on a free loopback port
 * that answers every call with {@code {}}, or with a body the test set for the operation, and
 * records each request's operation and {@code User-Agent}. The SDK names its HTTP client in that
 * header ({@code md/http#UrlConnection}, {@code md/http#Apache}), so a test sees which HTTP client
 * a client it never saw was built on.
 * <pre>{@code
 * try (StubEndpoint aws = StubEndpoint.startAsDefault(); Relay relay = Relay.create()) {
 *     ... a call through the relay ...
 *     assertEquals(List.of("UrlConnection"), aws.requests().stream().map(StubEndpoint.Request::httpClient).distinct().toList());
 * }
 * }</pre>
 * Thread-safe. Answers come back in the JSON of SQS's, DynamoDB's and Lambda's protocols; an
 * operation's response with required fields needs its body set with {@link #answer}.
 */
public final class StubEndpoint implements AutoCloseable {
    /** The region clients are pointed at with {@link #startAsDefault()}. */
    public static final String REGION = "us-east-1";
    private static final Pattern HTTP_CLIENT = Pattern.compile("md/http#(\\S+)");

    /**
     * One request as it came in.
     *
     * @param operation the part of {@code X-Amz-Target} after its dot ({@code ListQueues}) for the
     *     JSON protocols, the method and path ({@code GET /2015-03-31/event-source-mappings/}) for REST
     * @param userAgent the {@code User-Agent} header, {@code ""} if none
     */
    public record Request(String operation, String userAgent) {
        /** {@return the HTTP client the SDK named in the user agent, such as {@code UrlConnection}; {@code ""} if none} */
        public String httpClient() {
            Matcher m = HTTP_CLIENT.matcher(userAgent);
            return m.find() ? m.group(1) : "";
        }
    }

    private final HttpServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> replacedProperties;

    private StubEndpoint(boolean asDefault) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a loopback port for the stub endpoint", e);
        }
        server.createContext("/", this::handle);
        server.start();
        replacedProperties = asDefault ? SystemProperties.set(systemProperties()) : Map.of();
    }

    /** {@return a started endpoint; close it when done} */
    public static StubEndpoint start() {
        return new StubEndpoint(false);
    }

    /**
     * Starts an endpoint and points SQS, Lambda and DynamoDB clients built from defaults in this JVM
     * at it, with {@link #systemProperties()}, until {@link #close()} puts back what was there.
     * System properties belong to the whole JVM: one such endpoint at a time, and no
     * {@code LocalAws} started with {@code systemProperties(true)} beside it.
     *
     * @return the started endpoint
     */
    public static StubEndpoint startAsDefault() {
        return new StubEndpoint(true);
    }

    /** {@return the endpoint's URL} */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    /**
     * The Java system properties that point clients built from defaults at this endpoint: the SQS,
     * Lambda and DynamoDB endpoints, region {@value #REGION} and test credentials.
     *
     * @return the properties; unmodifiable
     */
    public Map<String, String> systemProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        for (String service : List.of("Sqs", "Lambda", "DynamoDb")) {
            props.put("aws.endpointUrl" + service, uri().toString());
        }
        props.put("aws.region", REGION);
        props.put("aws.accessKeyId", "test");
        props.put("aws.secretAccessKey", "test");
        return Map.copyOf(props);
    }

    /**
     * Sets the body an operation is answered with, instead of {@code {}}.
     *
     * @param operation as in {@link Request#operation()}
     * @param json the response body
     * @return this endpoint
     */
    public StubEndpoint answer(String operation, String json) {
        answers.put(operation, json);
        return this;
    }

    /** {@return every request so far, in order of arrival} */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target != null ? target.substring(target.indexOf('.') + 1)
                    : exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            String userAgent = exchange.getRequestHeaders().getFirst("User-Agent");
            requests.add(new Request(operation, userAgent == null ? "" : userAgent));
            byte[] body = answers.getOrDefault(operation, "{}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type",
                    target != null ? "application/x-amz-json-1.0" : "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops the server and puts back the system properties {@link #startAsDefault()} replaced. */
    @Override
    public void close() {
        SystemProperties.restore(replacedProperties);
        server.stop(0);
    }
}
