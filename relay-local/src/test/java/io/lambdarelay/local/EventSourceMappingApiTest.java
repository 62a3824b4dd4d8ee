package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import io.lambdarelay.local.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.DeleteEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateEventSourceMappingResponse;

/** The event-source mapping and function APIs, through the unmodified SDK client. */
class EventSourceMappingApiTest {

    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "123456789012";

    @RegisterExtension
    static final LocalAwsExtension EXTENSION =
            new LocalAwsExtension(() -> LocalAws.builder().region(REGION).accountId(ACCOUNT).start());

    private static SQSBatchResponse ok(Object event, Object context) {
        return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
    }

    @Test
    void queueArn_usesConfiguredRegionAndAccount(LocalAws aws) {
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "arn-check", 30);
        assertEquals("arn:aws:sqs:eu-west-1:123456789012:arn-check", q.arn());
        assertEquals(REGION, aws.region().id());
        assertEquals(ACCOUNT, aws.accountId());
    }

    @Test
    void mappingLifecycle_createGetListUpdateDelete(LocalAws aws) {
        LambdaClient lambda = aws.lambdaClient();
        LocalFunction fn = aws.registerFunction("lifecycle", Duration.ofSeconds(5), EventSourceMappingApiTest::ok);
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "lifecycle", 30);

        CreateEventSourceMappingResponse created = lambda.createEventSourceMapping(b -> b
                .eventSourceArn(q.arn()).functionName("lifecycle").batchSize(5)
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                .scalingConfig(s -> s.maximumConcurrency(3)));
        assertNotNull(created.uuid());
        assertEquals("Creating", created.state());
        assertEquals(5, created.batchSize());
        assertEquals(q.arn(), created.eventSourceArn());
        assertEquals("arn:aws:lambda:eu-west-1:123456789012:function:lifecycle", created.functionArn());
        assertEquals(fn.arn(), created.functionArn());
        assertEquals(List.of(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES), created.functionResponseTypes());
        assertEquals(3, created.scalingConfig().maximumConcurrency());
        assertNotNull(created.lastModified());

        GetEventSourceMappingResponse got = lambda.getEventSourceMapping(b -> b.uuid(created.uuid()));
        assertEquals("Enabled", got.state());
        assertEquals(0, got.maximumBatchingWindowInSeconds());

        List<EventSourceMappingConfiguration> listed = lambda.listEventSourceMappings(b -> b.functionName(fn.arn()))
                .eventSourceMappings();
        assertEquals(List.of(created.uuid()), listed.stream().map(EventSourceMappingConfiguration::uuid).toList());
        assertEquals(1, lambda.listEventSourceMappings(b -> b.eventSourceArn(q.arn())).eventSourceMappings().size());

        UpdateEventSourceMappingResponse updated = lambda.updateEventSourceMapping(b -> b
                .uuid(created.uuid()).enabled(false).batchSize(20).maximumBatchingWindowInSeconds(2));
        assertEquals("Updating", updated.state());
        GetEventSourceMappingResponse disabled = lambda.getEventSourceMapping(b -> b.uuid(created.uuid()));
        assertEquals("Disabled", disabled.state());
        assertEquals(20, disabled.batchSize());
        assertEquals(2, disabled.maximumBatchingWindowInSeconds());
        assertEquals(3, disabled.scalingConfig().maximumConcurrency());

        DeleteEventSourceMappingResponse deleted = lambda.deleteEventSourceMapping(b -> b.uuid(created.uuid()));
        assertEquals("Deleting", deleted.state());
        Await.until("the deleted mapping to go", Duration.ofSeconds(5), () -> {
            try {
                lambda.getEventSourceMapping(b -> b.uuid(created.uuid()));
                return false;
            } catch (ResourceNotFoundException e) {
                return true;
            }
        }, () -> "mapping " + created.uuid() + " still there after delete");
    }

    @Test
    void deleteEnabledMapping_disappearsOncePollersStopped(LocalAws aws) {
        LambdaClient lambda = aws.lambdaClient();
        aws.registerFunction("deleted", Duration.ofSeconds(1), EventSourceMappingApiTest::ok);
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "deleted", 10);
        String uuid = lambda.createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("deleted")).uuid();

        assertEquals("Deleting", lambda.deleteEventSourceMapping(b -> b.uuid(uuid)).state());

        Await.until("the deleted mapping to go", Duration.ofSeconds(5), () -> lambda.listEventSourceMappings(b -> b.eventSourceArn(q.arn()))
                .eventSourceMappings().isEmpty(), () -> "mapping " + uuid + " still listed");
        assertThrows(ResourceNotFoundException.class, () -> lambda.getEventSourceMapping(b -> b.uuid(uuid)));
    }

    @Test
    void functionName_acceptsNameFullArnAndPartialArn(LocalAws aws) {
        LambdaClient lambda = aws.lambdaClient();
        LocalFunction fn = aws.registerFunction("named", Duration.ofSeconds(2), EventSourceMappingApiTest::ok);
        for (String name : List.of("named", fn.arn(), ACCOUNT + ":function:named", "named:$LATEST")) {
            assertEquals("named", lambda.getFunctionConfiguration(b -> b.functionName(name)).functionName(), name);
        }
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "named", 30);
        CreateEventSourceMappingResponse byArn = lambda.createEventSourceMapping(b -> b
                .eventSourceArn(q.arn()).functionName(ACCOUNT + ":function:named"));
        assertEquals(fn.arn(), byArn.functionArn());
        lambda.deleteEventSourceMapping(b -> b.uuid(byArn.uuid()));
    }

    @Test
    void getFunctionConfiguration_reportsWhatWasRegistered(LocalAws aws) {
        aws.registerFunction("configured", Duration.ofMillis(2500), EventSourceMappingApiTest::ok);
        GetFunctionConfigurationResponse c = aws.lambdaClient().getFunctionConfiguration(b -> b
                .functionName("configured"));
        assertEquals("configured", c.functionName());
        assertEquals("arn:aws:lambda:eu-west-1:123456789012:function:configured", c.functionArn());
        assertEquals(3, c.timeout(), "timeouts are reported in whole seconds, rounded up");
        assertEquals(512, c.memorySize());
        assertEquals("java21", c.runtimeAsString());
        assertEquals("$LATEST", c.version());
    }

    @Test
    void recursionConfig_defaultsToTerminateAndCanBeSetToAllow(LocalAws aws) {
        LambdaClient lambda = aws.lambdaClient();
        aws.registerFunction("recursive", Duration.ofSeconds(2), EventSourceMappingApiTest::ok);
        assertEquals(RecursiveLoop.TERMINATE,
                lambda.getFunctionRecursionConfig(b -> b.functionName("recursive")).recursiveLoop());
        assertEquals(RecursiveLoop.ALLOW, lambda.putFunctionRecursionConfig(b -> b.functionName("recursive")
                .recursiveLoop(RecursiveLoop.ALLOW)).recursiveLoop());
        assertEquals(RecursiveLoop.ALLOW,
                lambda.getFunctionRecursionConfig(b -> b.functionName("recursive")).recursiveLoop());
        assertThrows(InvalidParameterValueException.class, () -> lambda.putFunctionRecursionConfig(b -> b
                .functionName("recursive").recursiveLoop("Sometimes")));
    }

    @Test
    void createMapping_unknownFunction_isResourceNotFound(LocalAws aws) {
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "orphan", 30);
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, () -> aws.lambdaClient()
                .createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("nobody")));
        assertEquals(404, e.statusCode());
        assertTrue(e.getMessage().contains("function:nobody"), e.getMessage());
    }

    @Test
    void getUpdateDelete_unknownUuid_isResourceNotFound(LocalAws aws) {
        LambdaClient lambda = aws.lambdaClient();
        String uuid = "00000000-0000-0000-0000-000000000000";
        assertThrows(ResourceNotFoundException.class, () -> lambda.getEventSourceMapping(b -> b.uuid(uuid)));
        assertThrows(ResourceNotFoundException.class,
                () -> lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false)));
        assertThrows(ResourceNotFoundException.class, () -> lambda.deleteEventSourceMapping(b -> b.uuid(uuid)));
        assertThrows(ResourceNotFoundException.class,
                () -> lambda.getFunctionConfiguration(b -> b.functionName("missing")));
    }

    @Test
    void createMapping_malformedJson_isInvalidRequestContentInLambdaErrorShape(LocalAws aws) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                .uri(URI.create(aws.lambdaEndpoint() + "/2015-03-31/event-source-mappings/"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"FunctionName\": \"x\","))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        assertEquals("InvalidRequestContentException", response.headers().firstValue("x-amzn-ErrorType").orElse(""));
        assertTrue(response.body().contains("\"Type\":\"User\""), response.body());
        assertTrue(response.body().contains("Could not parse request body into json"), response.body());
    }

    @Test
    void createMapping_visibilityTimeoutShorterThanFunctionTimeout_isInvalidParameterValue(LocalAws aws) {
        aws.registerFunction("slow", Duration.ofSeconds(5), EventSourceMappingApiTest::ok);
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "impatient", 4);
        InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> aws
                .lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("slow")));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("Queue visibility timeout: 4 seconds is less than Function timeout: 5"),
                e.getMessage());
    }

    @Test
    void createMapping_secondForSameQueueAndFunction_isResourceConflict(LocalAws aws) {
        aws.registerFunction("twice", Duration.ofSeconds(1), EventSourceMappingApiTest::ok);
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "twice", 30);
        String first = aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn())
                .functionName("twice")).uuid();
        ResourceConflictException e = assertThrows(ResourceConflictException.class, () -> aws.lambdaClient()
                .createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("twice")));
        assertEquals(409, e.statusCode());
        assertTrue(e.getMessage().contains(first), e.getMessage());
        aws.lambdaClient().deleteEventSourceMapping(b -> b.uuid(first));
    }

    @Test
    void createMapping_invalidSettings_areInvalidParameterValue(LocalAws aws) {
        LambdaClient lambda = aws.lambdaClient();
        aws.registerFunction("strict", Duration.ofSeconds(1), EventSourceMappingApiTest::ok);
        TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "strict", 30);
        for (int concurrency : new int[] {1, 1001}) {
            InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () -> lambda
                    .createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("strict")
                            .scalingConfig(s -> s.maximumConcurrency(concurrency))));
            assertTrue(e.getMessage().contains("MaximumConcurrency must be between 2 and 1000, was " + concurrency),
                    e.getMessage());
        }
        InvalidParameterValueException batch = assertThrows(InvalidParameterValueException.class, () -> lambda
                .createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("strict").batchSize(20)));
        assertTrue(batch.getMessage().contains("BatchSize 20"), batch.getMessage());
        assertThrows(InvalidParameterValueException.class, () -> lambda.createEventSourceMapping(b -> b
                .eventSourceArn("arn:aws:sqs:eu-west-1:123456789012:no-such-queue").functionName("strict")));
        assertThrows(InvalidParameterValueException.class, () -> lambda.createEventSourceMapping(b -> b
                .eventSourceArn("arn:aws:kinesis:eu-west-1:123456789012:stream/s").functionName("strict")));

        String uuid = lambda.createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("strict")
                .batchSize(20).maximumBatchingWindowInSeconds(1)).uuid();
        assertThrows(InvalidParameterValueException.class,
                () -> lambda.updateEventSourceMapping(b -> b.uuid(uuid).scalingConfig(s -> s.maximumConcurrency(1))));
        lambda.deleteEventSourceMapping(b -> b.uuid(uuid));
    }
}
