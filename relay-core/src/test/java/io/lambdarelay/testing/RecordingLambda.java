package io.lambdarelay.testing;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.SdkRequest;
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
 * A LambdaClient for unit tests that records every request whole and answers the few calls the
 * relay makes. End-to-end tests use relay-local's real Lambda endpoint instead.
 */
public final class RecordingLambda implements LambdaClient {
    public final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> timeouts = new ConcurrentHashMap<>();
    private final Map<String, RecursiveLoop> recursion = new ConcurrentHashMap<>();
    private final Map<String, String> mappings = new ConcurrentHashMap<>();
    private final String region;
    private volatile RuntimeException failCreateMapping;
    private volatile RuntimeException failDeleteMapping;

    public RecordingLambda(String region) {
        this.region = region;
    }

    public RecordingLambda function(String name, int timeoutSeconds) {
        timeouts.put(name, timeoutSeconds);
        return this;
    }

    public String arn(String name) {
        return "arn:aws:lambda:" + region + ":" + EmbeddedSqs.ACCOUNT + ":function:" + name;
    }

    public void failCreateMapping(RuntimeException e) {
        failCreateMapping = e;
    }

    public void failDeleteMapping(RuntimeException e) {
        failDeleteMapping = e;
    }

    public RecursiveLoop recursion(String name) {
        return recursion.getOrDefault(name, RecursiveLoop.TERMINATE);
    }

    public Map<String, String> mappings() {
        return Map.copyOf(mappings);
    }

    @SuppressWarnings("unchecked")
    public <T extends SdkRequest> List<T> requests(Class<T> type) {
        return (List<T>) requests.stream().filter(type::isInstance).toList();
    }

    private String name(String nameOrArn) {
        return nameOrArn.substring(nameOrArn.lastIndexOf(':') + 1);
    }

    private String known(String nameOrArn) {
        String n = name(nameOrArn);
        if (!timeouts.containsKey(n)) {
            throw ResourceNotFoundException.builder().message("Function not found: " + nameOrArn).statusCode(404).build();
        }
        return n;
    }

    @Override
    public GetFunctionConfigurationResponse getFunctionConfiguration(GetFunctionConfigurationRequest r) {
        requests.add(r);
        String n = known(r.functionName());
        return GetFunctionConfigurationResponse.builder().functionName(n).functionArn(arn(n)).timeout(timeouts.get(n)).build();
    }

    @Override
    public GetFunctionRecursionConfigResponse getFunctionRecursionConfig(GetFunctionRecursionConfigRequest r) {
        requests.add(r);
        return GetFunctionRecursionConfigResponse.builder().recursiveLoop(recursion(known(r.functionName()))).build();
    }

    @Override
    public PutFunctionRecursionConfigResponse putFunctionRecursionConfig(PutFunctionRecursionConfigRequest r) {
        requests.add(r);
        recursion.put(known(r.functionName()), r.recursiveLoop());
        return PutFunctionRecursionConfigResponse.builder().recursiveLoop(r.recursiveLoop()).build();
    }

    @Override
    public CreateEventSourceMappingResponse createEventSourceMapping(CreateEventSourceMappingRequest r) {
        requests.add(r);
        if (failCreateMapping != null) {
            throw failCreateMapping;
        }
        String uuid = UUID.randomUUID().toString();
        mappings.put(uuid, r.eventSourceArn());
        return CreateEventSourceMappingResponse.builder().uuid(uuid).state("Creating").build();
    }

    @Override
    public DeleteEventSourceMappingResponse deleteEventSourceMapping(DeleteEventSourceMappingRequest r) {
        requests.add(r);
        if (failDeleteMapping != null) {
            throw failDeleteMapping;
        }
        if (mappings.remove(r.uuid()) == null) {
            throw ResourceNotFoundException.builder().message("The resource you requested does not exist.")
                    .statusCode(404).build();
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
