package io.lambdarelay.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link LambdaService} over Lambda's REST-JSON API on a loopback port, so the unmodified
 * SDK {@code LambdaClient} works against it. Errors use Lambda's shape (status,
 * {@code x-amzn-ErrorType} header, JSON body with {@code Type} and {@code message}) so the SDK
 * raises its typed exceptions. Thread-safe.
 */
public final class LambdaEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LambdaEndpoint.class);
    private static final String ESM = "event-source-mappings";

    private final LambdaService service;
    private final HttpServer server;
    private final ControlPlaneQuota quota;

    /**
     * Starts serving on a free loopback port.
     *
     * @param executor runs the requests; the endpoint does not shut it down
     * @throws IOException when no port can be bound
     */
    public LambdaEndpoint(LambdaService service, ExecutorService executor) throws IOException {
        this(service, executor, new ControlPlaneQuota(0));
    }

    /**
     * Starts serving on a free loopback port, with Lambda's control-plane quota.
     *
     * @param executor runs the requests; the endpoint does not shut it down
     * @param quota counts control-plane requests, and refuses those over its rate
     * @throws IOException when no port can be bound
     */
    public LambdaEndpoint(LambdaService service, ExecutorService executor, ControlPlaneQuota quota)
            throws IOException {
        this.service = service;
        this.quota = quota;
        // The JDK server writes headers and body separately; without TCP_NODELAY a delayed ACK holds
        // the body about 40 ms on every call. The property is read once, when the first server starts,
        // so it is set only if nobody chose otherwise.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The endpoint's base URI, e.g. {@code http://127.0.0.1:45678}. */
    public URI uri() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        try (exchange) {
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            try {
                route(exchange);
            } catch (LambdaApiException e) {
                LOG.debug("{} {} -> {} {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        e.status(), e.errorType());
                sendError(exchange, e.status(), e.errorType(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendError(exchange, 503, "ServiceException", "the local Lambda endpoint is shutting down");
            } catch (RuntimeException e) {
                LOG.warn("local Lambda endpoint failed on {} {} (request {})", exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(), requestId, e);
                sendError(exchange, 500, "ServiceException", "internal error in the local Lambda endpoint: " + e);
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException, InterruptedException {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        List<String> path = segments(rawPath);
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        boolean invoke = path.size() == 4 && "invocations".equals(path.get(3));
        if (!invoke && !quota.take()) {
            throw LambdaApiException.tooManyRequests("Rate exceeded");
        }
        if (path.size() >= 2 && "2015-03-31".equals(path.get(0)) && ESM.equals(path.get(1))) {
            if (path.size() == 2 && "POST".equals(method)) {
                sendJson(exchange, 202, service.createMapping(parse(body)));
                return;
            }
            if (path.size() == 2 && "GET".equals(method)) {
                sendJson(exchange, 200, service.listMappings(query.get("FunctionName"), query.get("EventSourceArn"),
                        query.get("Marker"), query.get("MaxItems")));
                return;
            }
            if (path.size() == 3) {
                switch (method) {
                    case "GET":
                        sendJson(exchange, 200, service.getMapping(path.get(2)));
                        return;
                    case "PUT":
                        sendJson(exchange, 202, service.updateMapping(path.get(2), parse(body)));
                        return;
                    case "DELETE":
                        sendJson(exchange, 202, service.deleteMapping(path.get(2)));
                        return;
                    default:
                        break;
                }
            }
        } else if (path.size() >= 2 && "functions".equals(path.get(1))) {
            String version = path.get(0);
            if ("2015-03-31".equals(version)) {
                if (path.size() == 2 && "GET".equals(method)) {
                    sendJson(exchange, 200, service.listFunctions());
                    return;
                }
                if (path.size() == 3 && "GET".equals(method)) {
                    sendJson(exchange, 200, service.getFunction(qualified(path.get(2), query)));
                    return;
                }
                if (path.size() == 4 && "configuration".equals(path.get(3)) && "GET".equals(method)) {
                    sendJson(exchange, 200, service.functionConfiguration(qualified(path.get(2), query)));
                    return;
                }
                if (path.size() == 4 && "invocations".equals(path.get(3)) && "POST".equals(method)) {
                    invoke(exchange, qualified(path.get(2), query), body);
                    return;
                }
            } else if ("2024-08-31".equals(version) && path.size() == 4 && "recursion-config".equals(path.get(3))) {
                if ("GET".equals(method)) {
                    sendJson(exchange, 200, service.recursionConfig(path.get(2)));
                    return;
                }
                if ("PUT".equals(method)) {
                    sendJson(exchange, 200, service.putRecursionConfig(path.get(2), parse(body)));
                    return;
                }
            }
        }
        throw LambdaApiException.unknownOperation(method, rawPath);
    }

    private void invoke(HttpExchange exchange, String function, byte[] body) throws IOException, InterruptedException {
        String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
        String logType = exchange.getRequestHeaders().getFirst("X-Amz-Log-Type");
        LambdaService.InvokeResult result = service.invoke(function, type, logType, body);
        if (result.synchronous) {
            // Lambda names the version that ran only when it ran the function for the caller.
            exchange.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
        }
        if (result.logResult != null) {
            exchange.getResponseHeaders().set("X-Amz-Log-Result", result.logResult);
        }
        if (result.functionError != null) {
            exchange.getResponseHeaders().set("X-Amz-Function-Error", result.functionError);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, result.status, result.payload);
    }

    private static String qualified(String function, Map<String, String> query) {
        String qualifier = query.get("Qualifier");
        return qualifier == null || function.startsWith("arn:") && function.split(":").length > 7
                ? function : function + ":" + qualifier;
    }

    private JsonNode parse(byte[] body) {
        try {
            JsonNode node = service.json().parse(body);
            if (node == null || !node.isObject()) {
                throw LambdaApiException.invalidContent("Could not parse request body into json: "
                        + "expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
            }
            return node;
        } catch (IOException e) {
            throw LambdaApiException.invalidContent("Could not parse request body into json: "
                    + e.getClass().getSimpleName() + " at offset " + offset(e));
        }
    }

    private static String offset(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException
                && ((com.fasterxml.jackson.core.JsonProcessingException) e).getLocation() != null) {
            return Long.toString(((com.fasterxml.jackson.core.JsonProcessingException) e).getLocation()
                    .getCharOffset());
        }
        return "unknown";
    }

    private void sendJson(HttpExchange exchange, int status, JsonNode json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, service.json().mapper().writeValueAsBytes(json));
    }

    private void sendError(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        byte[] body = service.json().mapper().writeValueAsBytes(service.json().mapper().createObjectNode()
                .put("Type", "User")
                .put("message", message));
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (status == 204 || body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(decode(s));
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery == null) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return query;
    }

    private static String decode(String s) {
        // Function names and ARNs never hold '+', and the SDK encodes spaces as %20.
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
