package io.lambdarelay.examples.sqs;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.DeleteEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.DeleteEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionRecursionConfigResponse;
import software.amazon.awssdk.services.lambda.model.PutFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.PutFunctionRecursionConfigResponse;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The Lambda side of a relay where no function is deployed: one worker function with a timeout,
 * and the event-source mappings setup creates, which {@link ManualMapping} then plays. Only the
 * calls Relay makes are answered. Thread-safe.
 */
final class StubLambda implements LambdaClient {
    private final String region;
    private final String function;
    private final int timeoutSeconds;
    private final Map<String, String> mappings = new ConcurrentHashMap<>();
    private volatile RecursiveLoop recursion = RecursiveLoop.TERMINATE;

    StubLambda(String region, String function, int timeoutSeconds) {
        this.region = region;
        this.function = function;
        this.timeoutSeconds = timeoutSeconds;
    }

    String functionArn() {
        return "arn:aws:lambda:" + region + ":000000000000:function:" + function;
    }

    /** {@return the mappings that exist: uuid to queue ARN} */
    Map<String, String> mappings() {
        return Map.copyOf(mappings);
    }

    RecursiveLoop recursion() {
        return recursion;
    }

    @Override
    public GetFunctionConfigurationResponse getFunctionConfiguration(GetFunctionConfigurationRequest r) {
        if (!r.functionName().equals(function) && !r.functionName().equals(functionArn())) {
            throw ResourceNotFoundException.builder().message("Function not found: " + r.functionName()).build();
        }
        return GetFunctionConfigurationResponse.builder().functionName(function).functionArn(functionArn())
                .timeout(timeoutSeconds).build();
    }

    @Override
    public GetFunctionRecursionConfigResponse getFunctionRecursionConfig(GetFunctionRecursionConfigRequest r) {
        return GetFunctionRecursionConfigResponse.builder().recursiveLoop(recursion).build();
    }

    @Override
    public PutFunctionRecursionConfigResponse putFunctionRecursionConfig(PutFunctionRecursionConfigRequest r) {
        recursion = r.recursiveLoop();
        return PutFunctionRecursionConfigResponse.builder().recursiveLoop(recursion).build();
    }

    @Override
    public CreateEventSourceMappingResponse createEventSourceMapping(CreateEventSourceMappingRequest r) {
        if (!functionArn().equals(r.functionName())) {
            throw ResourceNotFoundException.builder().message("Function not found: " + r.functionName()).build();
        }
        String uuid = UUID.randomUUID().toString();
        mappings.put(uuid, r.eventSourceArn());
        return CreateEventSourceMappingResponse.builder().uuid(uuid).eventSourceArn(r.eventSourceArn())
                .functionArn(functionArn()).batchSize(r.batchSize()).state("Creating").build();
    }

    @Override
    public DeleteEventSourceMappingResponse deleteEventSourceMapping(DeleteEventSourceMappingRequest r) {
        if (mappings.remove(r.uuid()) == null) {
            throw ResourceNotFoundException.builder().message("mapping " + r.uuid() + " not found").build();
        }
        return DeleteEventSourceMappingResponse.builder().uuid(r.uuid()).state("Deleting").build();
    }

    @Override
    public String serviceName() {
        return "lambda";
    }

    @Override
    public void close() {
    }
}
