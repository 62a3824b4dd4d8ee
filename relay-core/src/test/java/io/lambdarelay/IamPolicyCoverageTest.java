package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.janitor.RelayJanitor;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.testing.LibraryCallRecorder;
import io.lambdarelay.testing.LibraryCallRecorder.QueueCall;
import io.lambdarelay.testing.LibraryCallRecorder.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Every AWS operation the library called during the test suite (recorded by an SDK interceptor)
 * must be allowed by the documented least-privilege policies in docs/iam, and those policies must
 * not use service-wide wildcards. Runs last so it sees the whole suite's calls; it also drives one
 * relay and one janitor sweep itself, so it checks something when run alone.
 */
@Order(Integer.MAX_VALUE)
class IamPolicyCoverageTest {
    private static final Path IAM = Path.of("..", "docs", "iam");
    /** The prefix of a worker's pool queue by default. */
    private static final String POOL_PREFIX = "lambda-relay-pool-";
    /** SQS authorizes its batch calls with the single-message action. */
    private static final Map<String, String> IAM_ACTION = Map.of(
            "sqs:SendMessageBatch", "sqs:SendMessage",
            "sqs:DeleteMessageBatch", "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility");

    private static Set<String> allowedActions(String file) throws IOException {
        JsonNode policy = new ObjectMapper().readTree(Files.readString(IAM.resolve(file)));
        Set<String> actions = new HashSet<>();
        for (JsonNode st : policy.get("Statement")) {
            assertEquals("Allow", st.get("Effect").asText());
            JsonNode a = st.get("Action");
            if (a.isArray()) {
                a.forEach(x -> actions.add(x.asText()));
            } else {
                actions.add(a.asText());
            }
        }
        return actions;
    }

    private static Set<String> iamActions(Set<String> operations) {
        Set<String> out = new TreeSet<>();
        for (String op : operations) {
            out.add(IAM_ACTION.getOrDefault(op, op));
        }
        return out;
    }

    private static void driveTheLibraryOnce() {
        try (LocalAws aws = LocalAws.start()) {
            aws.registerFunction("iam-worker", Duration.ofSeconds(1), (e, c) -> new SQSBatchResponse(List.of()));
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
            RelayPacket pkt = relay.setup(null, "iam-worker");
            relay.relayPass(pkt, Duration.ofMinutes(5));
            relay.relayPassAll(pkt.split(2));
            relay.progress(pkt);
            relay.tearDown(pkt);
            RelayJanitor.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build().sweep();
            RelayPacket other = relay.setup(null, "iam-worker");
            RelayControl control = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                    .build();
            control.list();
            control.pause(other.relayId());
            control.resume(other.relayId());
            control.redrive(other.relayId());
            control.cancel(other.relayId());
            drivePooledRelays(aws);
        }
    }

    /** A pooled relay end to end (its pool created by the first setup), then another operated by id. */
    private static void drivePooledRelays(LocalAws aws) {
        InMemoryRelayLedger ledger = new InMemoryRelayLedger();
        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).ledger(ledger)
                .build();
        aws.registerFunction("iam-pool-worker", Duration.ofSeconds(5), new RelayWorker(relay) {
            @Override
            protected boolean processUnit(RelayPacket pkt) {
                long n = pkt.getLong("n", 0) + 1;
                pkt.put("n", n);
                return n < 3;
            }
        });
        RelaySetup pooled = RelaySetup.builder().pooled(true).build();
        RelayPacket pkt = relay.setup(null, "iam-pool-worker", pooled);
        relay.relayPass(pkt);
        aws.awaitIdle(Duration.ofSeconds(30));
        assertEquals(PooledRelay.Control.ENDED, ledger.pooledRelay(pkt.relayId()).orElseThrow().control(),
                "the pooled relay ran to its end");
        RelayControl control = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .ledger(ledger).build();
        RelayPacket other = relay.setup(null, "iam-pool-worker", pooled);
        ledger.registerPooled(new PooledRelay(other.relayId(), "iam-pool-worker", other.queueUrl(), Instant.now(),
                Instant.now().plus(Duration.ofHours(1)), PooledRelay.Control.RUNNING, "", Instant.now()));
        control.list();
        control.status(other.relayId());
        control.pause(other.relayId());
        control.resume(other.relayId());
        control.redrive(other.relayId());
        control.cancel(other.relayId());
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} any one. */
    private static boolean matches(String pattern, String arn) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return arn.matches(re.toString());
    }

    /** Whether a statement of the policy allows the action on the queue, its placeholders filled for any worker. */
    private static boolean allowsOnQueue(String file, String action, String queueName) throws IOException {
        JsonNode policy = new ObjectMapper().readTree(Files.readString(IAM.resolve(file)));
        String arn = "arn:aws:sqs:us-east-1:000000000000:" + queueName;
        for (JsonNode st : policy.get("Statement")) {
            JsonNode a = st.get("Action");
            boolean names = a.isArray() ? StreamSupport.stream(a.spliterator(), false)
                    .anyMatch(x -> x.asText().equals(action)) : a.asText().equals(action);
            String resource = st.get("Resource").asText().replace("${Partition}", "aws")
                    .replace("${Region}", "us-east-1").replace("${Account}", "000000000000")
                    .replace("${WorkerFunction}", "*");
            if (names && matches(resource, arn)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyQueueTheLibraryNamed_isInTheResourcesItsRolesPolicyAllowsForThatAction() throws IOException {
        driveTheLibraryOnce();
        Map<Role, String> policies = Map.of(Role.START, "start-role-policy.json", Role.WORKER,
                "worker-role-policy.json", Role.JANITOR, "janitor-role-policy.json", Role.OPERATOR,
                "operator-role-policy.json");
        List<String> missing = new ArrayList<>();
        Set<String> pooledRoles = new TreeSet<>();
        for (Map.Entry<Role, Set<QueueCall>> e : LibraryCallRecorder.queueCalls().entrySet()) {
            for (QueueCall call : e.getValue()) {
                String name = call.queueName();
                if (!name.startsWith("relay-") && !name.startsWith(POOL_PREFIX)) {
                    continue; // a queue named by a test, which its own policy would have to cover
                }
                if (name.startsWith(POOL_PREFIX)) {
                    pooledRoles.add(e.getKey().name());
                }
                String action = IAM_ACTION.getOrDefault(call.operation(), call.operation());
                List<String> files = e.getKey() == Role.START_OR_WORKER
                        ? List.of(policies.get(Role.START), policies.get(Role.WORKER))
                        : List.of(policies.get(e.getKey()));
                boolean allowed = false;
                for (String file : files) {
                    allowed |= allowsOnQueue(file, action, name);
                }
                if (!allowed) {
                    missing.add(e.getKey() + " may not " + action + " on " + name);
                }
            }
        }
        assertTrue(missing.isEmpty(), String.join("\n", new TreeSet<>(missing)));
        assertTrue(pooledRoles.containsAll(Set.of("START", "OPERATOR"))
                && (pooledRoles.contains("WORKER") || pooledRoles.contains("START_OR_WORKER")),
                "the recorder saw pooled calls of the start, the worker and the operator: " + pooledRoles);
    }

    @Test
    void everyOperationTheLibraryCalled_isAllowedByTheDocumentedPolicyOfItsRole() throws IOException {
        driveTheLibraryOnce();
        Map<Role, Set<String>> calls = LibraryCallRecorder.calls();
        Set<String> start = allowedActions("start-role-policy.json");
        Set<String> worker = allowedActions("worker-role-policy.json");
        Set<String> janitor = allowedActions("janitor-role-policy.json");
        Set<String> operator = allowedActions("operator-role-policy.json");

        List<String> missing = new ArrayList<>();
        for (String a : iamActions(calls.getOrDefault(Role.START, Set.of()))) {
            if (!start.contains(a)) {
                missing.add("start role lacks " + a);
            }
        }
        for (String a : iamActions(calls.getOrDefault(Role.WORKER, Set.of()))) {
            if (!worker.contains(a)) {
                missing.add("worker role lacks " + a);
            }
        }
        for (String a : iamActions(calls.getOrDefault(Role.JANITOR, Set.of()))) {
            if (!janitor.contains(a)) {
                missing.add("janitor role lacks " + a);
            }
        }
        for (String a : iamActions(calls.getOrDefault(Role.OPERATOR, Set.of()))) {
            if (!operator.contains(a)) {
                missing.add("operator role lacks " + a);
            }
        }
        for (String a : iamActions(calls.getOrDefault(Role.START_OR_WORKER, Set.of()))) {
            if (!start.contains(a) && !worker.contains(a)) {
                missing.add("neither start nor worker role allows " + a);
            }
        }
        assertTrue(missing.isEmpty(), missing + " (recorded: " + calls + ")");
        assertTrue(iamActions(calls.get(Role.START)).containsAll(Set.of("sqs:CreateQueue", "lambda:CreateEventSourceMapping",
                "lambda:GetFunctionConfiguration")), "the recorder saw setup's calls: " + calls.get(Role.START));
        assertTrue(iamActions(calls.get(Role.JANITOR)).contains("sqs:ListQueues"), "the recorder saw the janitor");
        assertTrue(iamActions(calls.get(Role.OPERATOR)).containsAll(Set.of("sqs:ListQueueTags",
                "lambda:UpdateEventSourceMapping")), "the recorder saw the control: " + calls.get(Role.OPERATOR));
    }

    @Test
    void thePoliciesUseNoServiceWideWildcards_andScopeQueuesToTheRelayPrefix() throws IOException {
        for (String file : List.of("start-role-policy.json", "worker-role-policy.json", "janitor-role-policy.json",
                "operator-role-policy.json")) {
            JsonNode policy = new ObjectMapper().readTree(Files.readString(IAM.resolve(file)));
            for (JsonNode st : policy.get("Statement")) {
                String text = st.get("Action").toString();
                assertTrue(!text.contains("sqs:*") && !text.contains("lambda:*") && !text.contains("\"*\""),
                        file + " has a wildcard action: " + text);
                String resource = st.get("Resource").asText();
                if (text.contains("sqs:") && !text.contains("sqs:ListQueues")) {
                    assertTrue(resource.endsWith(":relay-*") || resource.endsWith(":" + POOL_PREFIX + "*")
                            || resource.endsWith(":" + POOL_PREFIX + "${WorkerFunction}*"),
                            file + " scopes SQS to " + resource);
                }
                if (text.contains("lambda:CreateEventSourceMapping")) {
                    assertTrue(st.path("Condition").path("StringEquals").has("lambda:FunctionArn"),
                            file + ": CreateEventSourceMapping must be limited by lambda:FunctionArn");
                }
            }
        }
    }
}
