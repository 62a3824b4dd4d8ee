package io.lambdarelay.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lambdarelay.Relay;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.examples.local.LocalVendorApi;
import io.lambdarelay.examples.pager.PagerSql;
import io.lambdarelay.examples.pager.PagerStart;
import io.lambdarelay.examples.pager.PagerWorker;
import io.lambdarelay.examples.vendor.VendorStart;
import io.lambdarelay.examples.vendor.VendorWorker;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
 *
 * <p>Every {@code Runtime:} of the templates, and of the YAML snippets in the repository's Markdown
 * files, must be a runtime {@link LambdaJavaRuntimes} lists as supported; the templates use its
 * default. Where {@code cfn-lint} is on the PATH, it lints the templates too.
 */
class SamTemplateTest {
    private static final Path SAM = Path.of("src", "main", "sam");
    private static final String QUEUE_ARN = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:relay-*";
    /** Read-only Lambda actions that IAM cannot scope to a resource or a function. */
    private static final Set<String> UNSCOPABLE = Set.of("lambda:ListEventSourceMappings");

    /** Called by setup's roll-back, which a good run does not reach (Relay.setup's javadoc). */
    private static final Set<String> START_ROLLBACK = Set.of("sqs:DeleteQueue", "lambda:DeleteEventSourceMapping");
    /**
     * Called by a worker that parks its relay (a chain's packet dead-lettered), which a good run
     * does not reach (RelaySetup.parkWhenDeadLettered's javadoc).
     */
    private static final Set<String> WORKER_PARKING = Set.of("sqs:TagQueue", "lambda:ListEventSourceMappings",
            "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping");
    /** Made by the event-source mapping with the worker's role, not by the library. */
    private static final Set<String> MAPPING_POLLS = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes");

    private static final Map<String, Set<String>> CALLS = new ConcurrentHashMap<>();
    /** Per role, each SQS action with the name of the queue it named ("sqs:SendMessage lambda-relay-pool-x"). */
    private static final Map<String, Set<String>> QUEUE_CALLS = new ConcurrentHashMap<>();
    /** The pool the pager's template makes, here under the name it has locally. */
    private static final String PAGER_POOL = RelaySetup.defaultPoolQueueName("pager-worker");

    /** The repository's root; the tests run in this module's directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** A {@code Runtime:} key and its value, in block or flow style, quoted or not. */
    private static final Pattern RUNTIME = Pattern.compile("(?<![\\w-])Runtime:\\s*[\"']?([^\\s\"',}\\]]+)");
    /** A Markdown code fence and its info string ({@code yaml} in ```yaml). */
    private static final Pattern FENCE = Pattern.compile("\\s*(`{3,}|~{3,})\\s*([^\\s`]*).*");
    private static final String CFN_LINT_MISSING = "cfn-lint not on PATH: pip install cfn-lint to lint the SAM templates";
    /** cfn-lint takes a few seconds; the bound only keeps a hung process from hanging the build. */
    private static final Duration CFN_LINT_TIMEOUT = Duration.ofMinutes(3);

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
            // Pooled: the pool made beforehand, as the template makes it; the start only finds it.
            Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build()
                    .setup(null, "pager-worker", RelaySetup.builder().pooled(true).build());
            new PagerStart(recordingRelay(aws, "pager-start", ledger), "pager-worker", PAGER_POOL).handleRequest(
                    Map.of("pageSize", 250, "pooled", 1), LocalContext.of("pager-start", Duration.ofSeconds(30)));
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
        QUEUE_CALLS.clear();
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
                String action = service + ":" + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                CALLS.computeIfAbsent(role, k -> ConcurrentHashMap.newKeySet()).add(action);
                String url = context.request().getValueForField("QueueUrl", String.class)
                        .orElse(context.request().getValueForField("QueueName", String.class).orElse(null));
                if (url != null) {
                    QUEUE_CALLS.computeIfAbsent(role, k -> ConcurrentHashMap.newKeySet())
                            .add(action + " " + url.substring(url.lastIndexOf('/') + 1));
                }
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
    void recording_sawThePooledStartAndWorkerUseThePool() {
        for (String role : List.of("pager-start", "pager-worker")) {
            assertTrue(QUEUE_CALLS.get(role).contains("sqs:SendMessage " + PAGER_POOL), role + ": " + QUEUE_CALLS);
        }
        assertTrue(QUEUE_CALLS.get("pager-start").stream().noneMatch(c -> c.startsWith("sqs:CreateQueue " + PAGER_POOL)),
                "the start found the pool and created none: " + QUEUE_CALLS.get("pager-start"));
    }

    @Test
    void pager_handlersExist_andPoliciesCoverTheLibrarysCalls() throws Exception {
        checkTemplate("pager", "PagerStart", "PagerWorker", "pager-start", "pager-worker", "DB_URL");
    }

    @Test
    void pager_makesTheWorkersPool_asTheLibraryWouldNameAndShapeIt() throws Exception {
        JsonNode t = template("pager");
        JsonNode resources = t.path("Resources");
        String function = resources.path("PagerWorker").path("Properties").path("FunctionName").path("Fn::Sub").asText();
        JsonNode pool = resources.path("PagerPool").path("Properties");
        JsonNode dlq = resources.path("PagerPoolDlq").path("Properties");
        assertEquals("AWS::SQS::Queue", resources.path("PagerPool").path("Type").asText());
        assertEquals("AWS::SQS::Queue", resources.path("PagerPoolDlq").path("Type").asText());
        // The library's default name for the worker, so a start without POOL_QUEUE finds it too.
        assertEquals(RelaySetup.defaultPoolQueueName("FN").replace("FN", function), pool.path("QueueName")
                .path("Fn::Sub").asText());
        assertEquals(pool.path("QueueName").path("Fn::Sub").asText() + RelaySetup.DLQ_SUFFIX,
                dlq.path("QueueName").path("Fn::Sub").asText());
        assertEquals("PagerPoolDlq", pool.path("RedrivePolicy").path("deadLetterTargetArn").path("Fn::GetAtt").path(0)
                .asText(), "the pool keeps what fails in its own dead-letter queue");
        assertTrue(pool.path("RedrivePolicy").path("maxReceiveCount").asInt() > RelaySetup.REDRIVE_BACKSTOP,
                "the worker dead-letters a packet itself before the pool's redrive policy does");
        assertTrue(pool.path("SqsManagedSseEnabled").asBoolean() && dlq.path("SqsManagedSseEnabled").asBoolean());
        assertEquals(14 * 24 * 3600, dlq.path("MessageRetentionPeriod").asInt());
        JsonNode params = t.path("Parameters");
        assertEquals("PoolVisibilityTimeout", pool.path("VisibilityTimeout").path("Ref").asText());
        assertTrue(params.path("PoolVisibilityTimeout").path("Default").asInt()
                >= 6 * params.path("WorkerTimeout").path("Default").asInt(), "six times the worker's timeout");
        // The pool's mapping: the worker's SQS event, failures reported per record.
        JsonNode event = resources.path("PagerWorker").path("Properties").path("Events").path("Pool");
        assertEquals("SQS", event.path("Type").asText());
        assertEquals("PagerPool", event.path("Properties").path("Queue").path("Fn::GetAtt").path(0).asText());
        assertEquals("ReportBatchItemFailures", event.path("Properties").path("FunctionResponseTypes").path(0).asText());
        assertEquals("PagerPool", resources.path("PagerStart").path("Properties").path("Environment").path("Variables")
                .path("POOL_QUEUE").path("Fn::GetAtt").path(0).asText(), "the start is given the pool's name");
    }

    @Test
    void vendor_handlersExist_andPoliciesCoverTheLibrarysCalls() throws Exception {
        checkTemplate("vendor", "VendorStart", "VendorWorker", "vendor-start", "vendor-worker", "VENDOR_URL");
    }

    @Test
    void vendor_workerRunsWithSnapStart_andTheRelayMapsItsAlias() throws Exception {
        JsonNode resources = template("vendor").path("Resources");
        JsonNode worker = resources.path("VendorWorker").path("Properties");
        assertEquals("PublishedVersions", worker.path("SnapStart").path("ApplyOn").asText());
        String alias = worker.path("AutoPublishAlias").asText();
        assertFalse(alias.isEmpty(), "SnapStart applies to published versions: the worker needs AutoPublishAlias");
        // The mapping invokes what the start gives setup: the alias, not $LATEST, where SnapStart never applies.
        assertEquals("VendorWorker.Alias", resources.path("VendorStart").path("Properties").path("Environment")
                .path("Variables").path("WORKER_FUNCTION").path("Ref").asText());
        // So the mapping's function is the alias's ARN, in both roles' conditions on it.
        List<String> conditions = new ArrayList<>();
        for (String function : List.of("VendorStart", "VendorWorker")) {
            for (JsonNode s : statements(resources.path(function))) {
                JsonNode fn = s.path("Condition").path("StringEquals").path("lambda:FunctionArn");
                if (!fn.isMissingNode()) {
                    conditions.add(function + ": " + fn);
                    assertTrue(fn.path("Ref").asText().equals("VendorWorker.Alias")
                            || fn.path("Fn::Sub").asText().endsWith("-vendor-worker:" + alias), function + ": " + fn);
                }
            }
        }
        assertEquals(2, conditions.size(), conditions.toString());
    }

    @Test
    void templates_everyRuntimeIsSupported_andGlobalsUseTheProjectsDefault() throws Exception {
        for (Path template : templates()) {
            List<RuntimeUse> uses = runtimesInYaml(fromRoot(template), Files.readAllLines(template));
            assertFalse(uses.isEmpty(), template + " names no Runtime");
            List<String> problems = problems(uses);
            assertTrue(problems.isEmpty(), String.join("\n", problems));
            JsonNode globals = new YAMLMapper().readTree(template.toFile()).path("Globals").path("Function");
            assertEquals(LambdaJavaRuntimes.DEFAULT, globals.path("Runtime").asText(),
                    template + ": Globals.Function.Runtime is the project's default runtime (LambdaJavaRuntimes.DEFAULT)");
        }
    }

    @Test
    void markdownYamlSnippets_everyRuntimeIsSupported() throws Exception {
        List<Path> markdown;
        try (Stream<Path> files = Files.walk(ROOT)) {
            markdown = files.filter(f -> f.getFileName().toString().endsWith(".md"))
                    .filter(f -> !generatedOrHidden(ROOT.relativize(f))).sorted().collect(Collectors.toList());
        }
        Set<String> names = markdown.stream().map(SamTemplateTest::fromRoot).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(names.containsAll(Set.of("README.md", "docs/operations.md", "relay-examples/README.md",
                "relay-dynamodb/README.md")), "the walk from " + ROOT + " missed Markdown files, found " + names);

        List<RuntimeUse> uses = new ArrayList<>();
        for (Path f : markdown) {
            uses.addAll(runtimesInYamlSnippets(fromRoot(f), Files.readAllLines(f)));
        }
        assertFalse(uses.isEmpty(), "no YAML snippet in " + names + " names a Runtime");
        List<String> problems = problems(uses);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void runtimeCheck_deprecatedOrUnknownRuntime_namesFileLineRuntimeAndWhatToUse() {
        List<String> template = List.of(
                "Globals:",
                "  Function:",
                "    Runtime: java17",
                "Resources:",
                "  Other:",
                "    Type: AWS::Serverless::Function",
                "    Properties: {Handler: x.Y::handleRequest, Runtime: \"java99\"}",
                "  Newer:",
                "    Properties:",
                "      # Runtime: java11 (a comment, not deployed)",
                "      Runtime: java25");
        assertEquals(List.of(
                "template.yaml:3: Runtime java17 is deprecated by Lambda (deprecated on 2026-06-30, creating functions"
                        + " blocked from 2026-07-31, updating them blocked from 2026-08-31); use java21",
                "template.yaml:7: Runtime java99 is not one of Lambda's Java runtimes known here (java8, java8.al2,"
                        + " java11, java17, java21, java25); use java21, or add the runtime to LambdaJavaRuntimes if"
                        + " Lambda supports it"),
                problems(runtimesInYaml("template.yaml", template)));

        List<String> markdown = List.of(
                "Deploy it:",
                "",
                "```yaml",
                "  Janitor:",
                "    Properties:",
                "      Runtime: java8",
                "```",
                "",
                "```sh",
                "echo 'Runtime: java17'    # not YAML, not checked",
                "```",
                "- in a list:",
                "  ~~~yml",
                "  Runtime: java21",
                "  ~~~");
        List<RuntimeUse> uses = runtimesInYamlSnippets("docs/x.md", markdown);
        assertEquals(List.of(new RuntimeUse("docs/x.md", 6, "java8"), new RuntimeUse("docs/x.md", 14, "java21")), uses);
        assertEquals(List.of("docs/x.md:6: Runtime java8 is deprecated by Lambda; use java21"), problems(uses));
    }

    @Test
    void cfnLint_reportsNoErrorsOrWarnings_whereInstalled(@TempDir Path tmp) throws Exception {
        Optional<Path> cfnLint = onPath("cfn-lint");
        assumeTrue(cfnLint.isPresent(), CFN_LINT_MISSING);

        List<String> command = new ArrayList<>(List.of(cfnLint.get().toString(), "--non-zero-exit-code", "warning", "--"));
        templates().forEach(t -> command.add(t.toString()));
        Path output = tmp.resolve("cfn-lint.txt");
        Process lint = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!lint.waitFor(CFN_LINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            lint.destroyForcibly();
            fail("cfn-lint did not finish within " + CFN_LINT_TIMEOUT.toSeconds() + " s: " + String.join(" ", command)
                    + "\n" + Files.readString(output));
        }
        assertEquals(0, lint.exitValue(), String.join(" ", command) + " exited with " + lint.exitValue() + ":\n"
                + Files.readString(output));
    }

    private void checkTemplate(String example, String start, String worker, String startRole, String workerRole,
            String workerSetting) throws Exception {
        JsonNode t = template(example);
        assertEquals("AWS::Serverless-2016-10-31", t.path("Transform").asText());
        JsonNode resources = t.path("Resources");
        boolean pooled = resources.has(poolOf(worker));
        assertEquals(pooled ? Set.of(start, worker, poolOf(worker), poolOf(worker) + "Dlq") : Set.of(start, worker),
                names(resources.fieldNames()), "the functions, and the worker's pool and its dead-letter queue if any");

        Class<?> startClass = handler(resources.path(start));
        Class<?> workerClass = handler(resources.path(worker));
        assertFalse(RelayWorker.class.isAssignableFrom(startClass), start + " starts, it is no worker");
        assertTrue(RelayWorker.class.isAssignableFrom(workerClass), worker + " must extend RelayWorker");

        String code = t.path("Globals").path("Function").path("CodeUri").asText();
        assertEquals(Path.of("target", "relay-examples-lambda.jar"),
                SAM.resolve(example).resolve(code).normalize(), "CodeUri names the 'lambda' profile's jar");

        JsonNode startEnv = resources.path(start).path("Properties").path("Environment").path("Variables");
        boolean aliased = resources.path(worker).path("Properties").has("AutoPublishAlias");
        assertEquals(aliased ? worker + ".Alias" : worker, startEnv.path("WORKER_FUNCTION").path("Ref").asText(),
                "the start names its worker, by its alias where it has one (what the relay's mapping invokes)");
        assertTrue(resources.path(worker).path("Properties").path("Environment").path("Variables").has(workerSetting));
        assertEquals("Allow", resources.path(worker).path("Properties").path("RecursiveLoop").asText(),
                "the worker allows its own relay loop, whoever starts the relay");

        Set<String> startNeeds = new TreeSet<>(CALLS.get(startRole));
        startNeeds.addAll(START_ROLLBACK);
        Set<String> workerNeeds = new TreeSet<>(CALLS.get(workerRole));
        workerNeeds.addAll(MAPPING_POLLS);
        workerNeeds.addAll(WORKER_PARKING);
        assertCovers(start, statements(resources.path(start)), startNeeds, worker);
        assertCovers(worker, statements(resources.path(worker)), workerNeeds, worker);
        assertQueuesCovered(start, statements(resources.path(start)), QUEUE_CALLS.get(startRole), worker);
        assertQueuesCovered(worker, statements(resources.path(worker)), QUEUE_CALLS.get(workerRole), worker);
    }

    /** The resource name of a worker's pool in its template: PagerWorker's is PagerPool. */
    private static String poolOf(String worker) {
        return worker.replace("Worker", "Pool");
    }

    /**
     * Each recorded SQS call on a queue is allowed by a statement for that action whose resource is
     * that queue: the relay queues for {@code relay-} names, the worker's pool or its dead-letter
     * queue for the pool's.
     */
    private static void assertQueuesCovered(String function, List<JsonNode> statements, Set<String> calls, String worker) {
        List<String> missing = new ArrayList<>();
        for (String call : calls) {
            String action = call.substring(0, call.indexOf(' '));
            String queue = call.substring(call.indexOf(' ') + 1);
            String wanted = queue.startsWith("relay-") ? "relay queues"
                    : queue.equals(PAGER_POOL) ? poolOf(worker)
                    : queue.equals(PAGER_POOL + RelaySetup.DLQ_SUFFIX) ? poolOf(worker) + "Dlq" : null;
            assertNotNull(wanted, function + " named a queue no template makes: " + call);
            boolean allowed = false;
            for (JsonNode s : statements) {
                boolean names = false;
                for (JsonNode a : s.path("Action")) {
                    names |= a.asText().equals(action)
                            || action.endsWith("Batch") && a.asText().equals(action.substring(0, action.length() - 5));
                }
                for (JsonNode r : s.path("Resource").isArray() ? s.path("Resource") : List.of(s.path("Resource"))) {
                    allowed |= names && (wanted.equals("relay queues") ? QUEUE_ARN.equals(r.path("Fn::Sub").asText())
                            : wanted.equals(r.path("Fn::GetAtt").path(0).asText())
                                    && "Arn".equals(r.path("Fn::GetAtt").path(1).asText()));
                }
            }
            if (!allowed) {
                missing.add(action + " on " + wanted);
            }
        }
        assertTrue(missing.isEmpty(), function + "'s policies do not allow " + missing);
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
                    for (JsonNode r : resource.isArray() ? resource : List.of(resource)) {
                        String pool = r.path("Fn::GetAtt").path(0).asText();
                        assertTrue(QUEUE_ARN.equals(r.path("Fn::Sub").asText()) || (pool.equals(poolOf(worker))
                                || pool.equals(poolOf(worker) + "Dlq")) && r.path("Fn::GetAtt").path(1).asText().equals("Arn"),
                                function + ": " + action + " must be scoped to the relay queues or the worker's pool, got "
                                        + r);
                    }
                } else if (UNSCOPABLE.contains(action)) {
                    assertEquals("*", resource.asText(), function + ": " + action + " takes no resource but *");
                } else if (resource.isTextual() && resource.asText().equals("*")) {
                    JsonNode fn = s.path("Condition").path("StringEquals").path("lambda:FunctionArn");
                    assertFalse(fn.isMissingNode(), function + ": " + action + " on * needs a lambda:FunctionArn condition");
                    for (JsonNode value : fn.isArray() ? fn : List.of(fn)) {
                        assertTrue(namesWorker(value, worker), function + ": " + action + " must be limited to " + worker
                                + " or its alias, got " + fn);
                    }
                } else {
                    // A function's own policy names itself by name (Fn::Sub): a reference to its own
                    // resource would be circular. Any other policy refers to the worker's resource.
                    boolean own = function.equals(worker);
                    for (JsonNode value : resource.isArray() ? resource : List.of(resource)) {
                        assertTrue(namesWorker(value, worker) && (own || !value.has("Fn::Sub")),
                                function + ": " + action + " must be limited to " + worker + " or its alias, got " + resource);
                    }
                }
            }
        }
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(allowed);
        assertTrue(missing.isEmpty(), function + "'s policies lack " + missing + " (it has " + allowed + ")");
    }

    /**
     * Whether an ARN in a policy is the worker's: its {@code Arn}, its alias ({@code Ref: Worker.Alias}),
     * or, where the worker's own policy cannot refer to its resources, its ARN by name, with or
     * without the alias.
     */
    private static boolean namesWorker(JsonNode arn, String worker) {
        String byName = ":function:${AWS::StackName}-" + worker.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
        String sub = arn.path("Fn::Sub").asText();
        return arn.path("Fn::GetAtt").path(0).asText().equals(worker) && arn.path("Fn::GetAtt").path(1).asText().equals("Arn")
                || arn.path("Ref").asText().equals(worker + ".Alias")
                || sub.endsWith(byName) || sub.matches(".*" + Pattern.quote(byName) + ":[A-Za-z0-9_-]+");
    }

    /** One {@code Runtime:} found in a file: where, and the runtime it names. */
    private record RuntimeUse(String source, int line, String runtime) {
    }

    /** Every {@code Runtime:} of a YAML text, comment lines left out; {@code line} counts from 1. */
    private static List<RuntimeUse> runtimesInYaml(String source, List<String> lines) {
        List<RuntimeUse> uses = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int line = i + 1;
            runtimeOn(lines.get(i)).ifPresent(r -> uses.add(new RuntimeUse(source, line, r)));
        }
        return uses;
    }

    /** Every {@code Runtime:} inside the ```yaml (or yml) code blocks of a Markdown text, with its line in the file. */
    private static List<RuntimeUse> runtimesInYamlSnippets(String source, List<String> lines) {
        List<RuntimeUse> uses = new ArrayList<>();
        String open = null;
        boolean yaml = false;
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = FENCE.matcher(lines.get(i));
            if (open == null) {
                if (fence.matches()) {
                    open = fence.group(1);
                    yaml = fence.group(2).equalsIgnoreCase("yaml") || fence.group(2).equalsIgnoreCase("yml");
                }
            } else if (fence.matches() && fence.group(2).isEmpty() && fence.group(1).charAt(0) == open.charAt(0)
                    && fence.group(1).length() >= open.length()) {
                open = null;
            } else if (yaml) {
                int line = i + 1;
                runtimeOn(lines.get(i)).ifPresent(r -> uses.add(new RuntimeUse(source, line, r)));
            }
        }
        return uses;
    }

    private static Optional<String> runtimeOn(String line) {
        if (line.trim().startsWith("#")) {
            return Optional.empty();
        }
        Matcher m = RUNTIME.matcher(line);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** "source:line: what is wrong; what to use" for each use of a runtime that is not supported. */
    private static List<String> problems(List<RuntimeUse> uses) {
        List<String> problems = new ArrayList<>();
        for (RuntimeUse u : uses) {
            LambdaJavaRuntimes.problem(u.runtime()).ifPresent(p -> problems.add(u.source() + ":" + u.line() + ": " + p));
        }
        return problems;
    }

    private static List<Path> templates() throws IOException {
        List<Path> templates;
        try (Stream<Path> dirs = Files.list(SAM)) {
            templates = dirs.map(d -> d.resolve("template.yaml")).filter(Files::isRegularFile).sorted()
                    .collect(Collectors.toList());
        }
        assertEquals(List.of(SAM.resolve("pager").resolve("template.yaml"), SAM.resolve("vendor").resolve("template.yaml")),
                templates);
        return templates;
    }

    /** The file's path from the repository's root, such as docs/operations.md. */
    private static String fromRoot(Path file) {
        return ROOT.relativize(file.toAbsolutePath()).toString().replace(File.separatorChar, '/');
    }

    /** Build output, and hidden directories such as .git and .mvn. */
    private static boolean generatedOrHidden(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(Pattern.quote(File.pathSeparator))).filter(dir -> !dir.isEmpty())
                .flatMap(dir -> Stream.of(Path.of(dir, command), Path.of(dir, command + ".exe")))
                .filter(Files::isExecutable).findFirst();
    }

    private static Set<String> names(Iterator<String> it) {
        Set<String> s = new TreeSet<>();
        it.forEachRemaining(s::add);
        assertNotNull(s);
        return s;
    }
}
