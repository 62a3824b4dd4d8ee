package io.lambdarelay.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lambdarelay.InMemoryRelayLedger;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.examples.local.LocalVendorApi;
import io.lambdarelay.examples.pager.PagerSql;
import io.lambdarelay.examples.pager.PagerStart;
import io.lambdarelay.examples.pager.PagerWorker;
import io.lambdarelay.examples.vendor.VendorStart;
import io.lambdarelay.examples.vendor.VendorWorker;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Reads each SAM template and checks it against the code: every handler it names exists and is a
 * {@link RequestHandler} Lambda can construct, and each function's IAM actions cover the AWS calls
 * the library makes for it, recorded while the example runs on LocalAws, plus the calls Relay's
 * javadoc lists for paths a good run does not take (roll-back) and the event-source mapping's own.
 * No action is a wildcard and every SQS statement is scoped to the relay queues.
 */
class SamTemplateTest {
    private static final Path SAM = Path.of("src", "main", "sam");
    private static final String QUEUE_ARN = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:relay-*";

    /** Called by setup's roll-back, which a good run does not reach (Relay.setup's javadoc). */
    private static final Set<String> START_ROLLBACK = Set.of("sqs:DeleteQueue", "lambda:DeleteEventSourceMapping");
    /** Made by the event-source mapping with the worker's role, not by the library. */
    private static final Set<String> MAPPING_POLLS = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes");

    private static final Map<String, Set<String>> CALLS = new ConcurrentHashMap<>();

    /** Runs both examples small, recording the calls of the start's and the worker's relay apart. */
    @BeforeAll
    static void recordTheLibrarysCalls() throws Exception {
        LocalAws aws = LocalAws.start();
        try {
            InMemoryRelayLedger ledger = new InMemoryRelayLedger();
            JdbcConnectionPool db = JdbcConnectionPool.create("jdbc:h2:mem:sam-" + System.nanoTime()
                    + ";DB_CLOSE_DELAY=-1", "sa", "");
            PagerSql.createTables(db);
            PagerSql.seed(db, 3_000);
            // 12 pages of 100 ms do not fit one 1 s invocation: the worker hands the packet on.
            aws.registerFunction("pager-worker", Duration.ofSeconds(1),
                    new PagerWorker(recordingRelay(aws, "pager-worker", ledger), db, 100));
            new PagerStart(recordingRelay(aws, "pager-start", ledger), "pager-worker")
                    .handleRequest(Map.of("pageSize", 250), LocalContext.of("pager-start", Duration.ofSeconds(30)));
            aws.awaitIdle(Duration.ofSeconds(60));
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }

            // Paced to 150 calls/s, 3 parts of 100 calls take 2 s, more than one 1 s invocation.
            try (LocalVendorApi vendor = new LocalVendorApi(300, 1_000)) {
                aws.registerFunction("vendor-worker", Duration.ofSeconds(1),
                        new VendorWorker(recordingRelay(aws, "vendor-worker", ledger), vendor.uri()));
                new VendorStart(recordingRelay(aws, "vendor-start", ledger), "vendor-worker", 150)
                        .handleRequest(Map.of("calls", 300, "parts", 3, "concurrency", 3),
                                LocalContext.of("vendor-start", Duration.ofSeconds(30)));
                aws.awaitIdle(Duration.ofSeconds(60));
                assertEquals(300, vendor.ok());
            }
        } finally {
            Thread closer = new Thread(aws::close);
            closer.setDaemon(true);
            closer.start();
        }
    }

    @AfterAll
    static void clear() {
        CALLS.clear();
    }

    private static Relay recordingRelay(LocalAws aws, String role, InMemoryRelayLedger ledger) {
        ExecutionInterceptor sqsCalls = recorder(role, "sqs");
        ExecutionInterceptor lambdaCalls = recorder(role, "lambda");
        StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        SqsClient sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(aws.region())
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(sqsCalls)).build();
        LambdaClient lambda = LambdaClient.builder().endpointOverride(aws.lambdaEndpoint()).region(aws.region())
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(lambdaCalls)).build();
        return Relay.builder().sqsClient(sqs).lambdaClient(lambda).ledger(ledger).build();
    }

    private static ExecutionInterceptor recorder(String role, String service) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                CALLS.computeIfAbsent(role, k -> ConcurrentHashMap.newKeySet())
                        .add(service + ":" + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            }
        };
    }

    private static JsonNode template(String example) throws Exception {
        return new YAMLMapper().readTree(Files.readString(SAM.resolve(example).resolve("template.yaml")));
    }

    @Test
    void recording_sawTheCallsOfAFullRun() {
        assertTrue(CALLS.get("pager-start").containsAll(Set.of("sqs:CreateQueue", "sqs:SendMessage",
                "lambda:CreateEventSourceMapping", "lambda:GetFunctionConfiguration")), CALLS.toString());
        assertTrue(CALLS.get("vendor-start").contains("sqs:SendMessageBatch"), CALLS.toString());
        for (String worker : List.of("pager-worker", "vendor-worker")) {
            assertTrue(CALLS.get(worker).containsAll(Set.of("sqs:SendMessage", "sqs:DeleteQueue",
                    "lambda:DeleteEventSourceMapping")), CALLS.toString());
        }
    }

    @Test
    void pager_handlersExist_andPoliciesCoverTheLibrarysCalls() throws Exception {
        checkTemplate("pager", "PagerStart", "PagerWorker", "pager-start", "pager-worker", "DB_URL");
    }

    @Test
    void vendor_handlersExist_andPoliciesCoverTheLibrarysCalls() throws Exception {
        checkTemplate("vendor", "VendorStart", "VendorWorker", "vendor-start", "vendor-worker", "VENDOR_URL");
    }

    private void checkTemplate(String example, String start, String worker, String startRole, String workerRole,
            String workerSetting) throws Exception {
        JsonNode t = template(example);
        assertEquals("AWS::Serverless-2016-10-31", t.path("Transform").asText());
        JsonNode resources = t.path("Resources");
        assertEquals(Set.of(start, worker), names(resources.fieldNames()));

        Class<?> startClass = handler(resources.path(start));
        Class<?> workerClass = handler(resources.path(worker));
        assertFalse(RelayWorker.class.isAssignableFrom(startClass), start + " starts, it is no worker");
        assertTrue(RelayWorker.class.isAssignableFrom(workerClass), worker + " must extend RelayWorker");

        String code = t.path("Globals").path("Function").path("CodeUri").asText();
        assertEquals(Path.of("target", "relay-examples-lambda.jar"),
                SAM.resolve(example).resolve(code).normalize(), "CodeUri names the 'lambda' profile's jar");

        JsonNode startEnv = resources.path(start).path("Properties").path("Environment").path("Variables");
        assertEquals(worker, startEnv.path("WORKER_FUNCTION").path("Ref").asText(), "the start names its worker");
        assertTrue(resources.path(worker).path("Properties").path("Environment").path("Variables").has(workerSetting));

        Set<String> startNeeds = new TreeSet<>(CALLS.get(startRole));
        startNeeds.addAll(START_ROLLBACK);
        Set<String> workerNeeds = new TreeSet<>(CALLS.get(workerRole));
        workerNeeds.addAll(MAPPING_POLLS);
        assertCovers(start, statements(resources.path(start)), startNeeds, worker);
        assertCovers(worker, statements(resources.path(worker)), workerNeeds, worker);
    }

    private static Class<?> handler(JsonNode function) throws Exception {
        assertEquals("AWS::Serverless::Function", function.path("Type").asText());
        String handler = function.path("Properties").path("Handler").asText();
        String[] parts = handler.split("::");
        assertEquals(2, parts.length, "Handler must be class::method, got " + handler);
        Class<?> c = Class.forName(parts[0]);
        assertTrue(RequestHandler.class.isAssignableFrom(c), c + " must implement RequestHandler");
        assertTrue(Modifier.isPublic(c.getModifiers()) && !Modifier.isAbstract(c.getModifiers()), c.toString());
        assertTrue(Modifier.isPublic(c.getConstructor().getModifiers()), c + " needs a public no-arg constructor");
        assertTrue(List.of(c.getMethods()).stream().anyMatch(m -> m.getName().equals(parts[1])
                && m.getParameterCount() == 2), c + " has no " + parts[1] + "(input, context)");
        return c;
    }

    private static List<JsonNode> statements(JsonNode function) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode policy : function.path("Properties").path("Policies")) {
            assertTrue(policy.isObject() && policy.has("Statement"), "policies are inline statements, got " + policy);
            policy.path("Statement").forEach(out::add);
        }
        return out;
    }

    private static void assertCovers(String function, List<JsonNode> statements, Set<String> needed, String worker) {
        Set<String> allowed = new TreeSet<>();
        for (JsonNode s : statements) {
            assertEquals("Allow", s.path("Effect").asText(), function + ": " + s);
            JsonNode resource = s.path("Resource");
            for (JsonNode a : s.path("Action")) {
                String action = a.asText();
                assertFalse(action.contains("*"), function + " allows the wildcard action " + action);
                allowed.add(action);
                if (action.startsWith("sqs:")) {
                    assertEquals(QUEUE_ARN, resource.path("Fn::Sub").asText(),
                            function + ": " + action + " must be scoped to the relay queues");
                } else if (resource.isTextual() && resource.asText().equals("*")) {
                    JsonNode fn = s.path("Condition").path("StringEquals").path("lambda:FunctionArn");
                    assertFalse(fn.isMissingNode(), function + ": " + action + " on * needs a lambda:FunctionArn condition");
                    assertTrue(fn.path("Fn::GetAtt").path(0).asText().equals(worker)
                            || fn.path("Fn::Sub").asText().endsWith(":function:${AWS::StackName}-"
                                    + worker.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase()),
                            function + ": " + action + " must be limited to " + worker + ", got " + fn);
                } else {
                    assertEquals(worker, resource.path("Fn::GetAtt").path(0).asText(),
                            function + ": " + action + " must be limited to " + worker);
                }
            }
        }
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(allowed);
        assertTrue(missing.isEmpty(), function + "'s policies lack " + missing + " (it has " + allowed + ")");
    }

    private static Set<String> names(Iterator<String> it) {
        Set<String> s = new TreeSet<>();
        it.forEachRemaining(s::add);
        assertNotNull(s);
        return s;
    }
}
