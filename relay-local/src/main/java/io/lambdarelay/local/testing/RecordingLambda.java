package io.lambdarelay.local.testing;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.DeleteEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.DeleteEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionRecursionConfigResponse;
import software.amazon.awssdk.services.lambda.model.ListEventSourceMappingsRequest;
import software.amazon.awssdk.services.lambda.model.ListEventSourceMappingsResponse;
import software.amazon.awssdk.services.lambda.model.PutFunctionRecursionConfigRequest;
import software.amazon.awssdk.services.lambda.model.PutFunctionRecursionConfigResponse;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.UpdateEventSourceMappingResponse;

/**
 * A {@link LambdaClient} for unit tests that records every request whole and answers the calls a
 * relay makes (function configuration, recursion config, creating, reading, listing, enabling,
 * disabling and deleting event-source mappings) from functions, and aliases of them, that the test
 * declares. A function is named as Lambda takes it: by name or ARN, with an alias after a colon
 * ({@code worker:live}); the configuration and mappings of an alias carry its ARN, the recursion
 * config is the function's. Nothing runs: end-to-end tests use {@link io.lambdarelay.local.LocalAws}. A
 * call it does not answer throws {@link UnsupportedOperationException}. Thread-safe.
 */
public final class RecordingLambda implements LambdaClient {
    private final String region;
    private final String account;
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> timeouts = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, RecursiveLoop> recursion = new ConcurrentHashMap<>();
    private final Map<String, String> mappings = new ConcurrentHashMap<>();
    private final Map<String, String> mappingFunctions = new ConcurrentHashMap<>();
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();
    private volatile RuntimeException failCreateMapping;
    private volatile RuntimeException failDeleteMapping;

    /**
     * Creates a client for functions in {@code region} of account {@value SqsServer#ACCOUNT}.
     *
     * @param region the region of the function ARNs
     */
    public RecordingLambda(String region) {
        this(region, SqsServer.ACCOUNT);
    }

    /**
     * Creates a client for functions in a region and account.
     *
     * @param region the region of the function ARNs
     * @param account the 12-digit account id of the function ARNs
     */
    public RecordingLambda(String region, String account) {
        this.region = region;
        this.account = account;
    }

    /**
     * Declares a function.
     *
     * @param name its name
     * @param timeoutSeconds its timeout
     * @return this client
     */
    public RecordingLambda function(String name, int timeoutSeconds) {
        timeouts.put(name, timeoutSeconds);
        return this;
    }

    /**
     * Declares an alias of a declared function, as SAM's {@code AutoPublishAlias} makes one.
     *
     * @param name the function's name
     * @param alias the alias's name
     * @return this client
     */
    public RecordingLambda alias(String name, String alias) {
        aliases.put(name + ":" + alias, name);
        return this;
    }

    /**
     * The ARN of a function.
     *
     * @param name the function's name
     * @return {@code arn:aws:lambda:<region>:<account>:function:<name>}
     */
    public String arn(String name) {
        return "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
    }

    /**
     * Makes every later {@code CreateEventSourceMapping} throw.
     *
     * @param e what to throw, or {@code null} to stop
     */
    public void failCreateMapping(RuntimeException e) {
        failCreateMapping = e;
    }

    /**
     * Makes every later {@code DeleteEventSourceMapping} throw.
     *
     * @param e what to throw, or {@code null} to stop
     */
    public void failDeleteMapping(RuntimeException e) {
        failDeleteMapping = e;
    }

    /**
     * A function's recursion config, {@code Terminate} until set.
     *
     * @param name the function's name
     * @return the config
     */
    public RecursiveLoop recursion(String name) {
        return recursion.getOrDefault(name, RecursiveLoop.TERMINATE);
    }

    /** {@return the mappings that exist: UUID to queue ARN} */
    public Map<String, String> mappings() {
        return Map.copyOf(mappings);
    }

    /** {@return every request, in order} */
    public List<SdkRequest> requests() {
        return List.copyOf(requests);
    }

    /**
     * The requests of one type, in order.
     *
     * @param type the request type, such as {@code CreateEventSourceMappingRequest.class}
     * @param <T> the request type
     * @return the requests
     */
    public <T extends SdkRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** A declared function or alias, named by name or ARN: {@code worker} or {@code worker:live}. */
    private String known(String nameOrArn) {
        String prefix = arn("");
        String qualified = nameOrArn.startsWith(prefix) ? nameOrArn.substring(prefix.length()) : nameOrArn;
        if (nameOrArn.startsWith("arn:") && qualified.equals(nameOrArn)
                || !timeouts.containsKey(qualified) && !aliases.containsKey(qualified)) {
            throw ResourceNotFoundException.builder().message("Function not found: " + nameOrArn).statusCode(404)
                    .build();
        }
        return qualified;
    }

    /** The function a declared function or alias belongs to. */
    private String function(String qualified) {
        return aliases.getOrDefault(qualified, qualified);
    }

    @Override
    public GetFunctionConfigurationResponse getFunctionConfiguration(GetFunctionConfigurationRequest r) {
        requests.add(r);
        String q = known(r.functionName());
        String n = function(q);
        return GetFunctionConfigurationResponse.builder().functionName(n).functionArn(arn(q)).timeout(timeouts.get(n))
                .build();
    }

    @Override
    public GetFunctionRecursionConfigResponse getFunctionRecursionConfig(GetFunctionRecursionConfigRequest r) {
        requests.add(r);
        return GetFunctionRecursionConfigResponse.builder().recursiveLoop(recursion(function(known(r.functionName()))))
                .build();
    }

    @Override
    public PutFunctionRecursionConfigResponse putFunctionRecursionConfig(PutFunctionRecursionConfigRequest r) {
        requests.add(r);
        recursion.put(function(known(r.functionName())), r.recursiveLoop());
        return PutFunctionRecursionConfigResponse.builder().recursiveLoop(r.recursiveLoop()).build();
    }

    @Override
    public CreateEventSourceMappingResponse createEventSourceMapping(CreateEventSourceMappingRequest r) {
        requests.add(r);
        RuntimeException fail = failCreateMapping;
        if (fail != null) {
            throw fail;
        }
        String fn = known(r.functionName());
        String uuid = UUID.randomUUID().toString();
        mappings.put(uuid, r.eventSourceArn());
        mappingFunctions.put(uuid, arn(fn));
        return CreateEventSourceMappingResponse.builder().uuid(uuid).eventSourceArn(r.eventSourceArn())
                .functionArn(arn(fn)).batchSize(r.batchSize()).state("Creating").build();
    }

    @Override
    public DeleteEventSourceMappingResponse deleteEventSourceMapping(DeleteEventSourceMappingRequest r) {
        requests.add(r);
        RuntimeException fail = failDeleteMapping;
        if (fail != null) {
            throw fail;
        }
        if (mappings.remove(r.uuid()) == null) {
            throw notFound(r.uuid());
        }
        mappingFunctions.remove(r.uuid());
        return DeleteEventSourceMappingResponse.builder().uuid(r.uuid()).state("Deleting").build();
    }

    @Override
    public GetEventSourceMappingResponse getEventSourceMapping(GetEventSourceMappingRequest r) {
        requests.add(r);
        EventSourceMappingConfiguration m = configuration(r.uuid());
        if (m == null) {
            throw notFound(r.uuid());
        }
        return GetEventSourceMappingResponse.builder().uuid(m.uuid()).eventSourceArn(m.eventSourceArn())
                .functionArn(m.functionArn()).state(m.state()).build();
    }

    /** Enables or disables a mapping; other settings are recorded but not kept. */
    @Override
    public UpdateEventSourceMappingResponse updateEventSourceMapping(UpdateEventSourceMappingRequest r) {
        requests.add(r);
        if (configuration(r.uuid()) == null) {
            throw notFound(r.uuid());
        }
        if (Boolean.FALSE.equals(r.enabled())) {
            disabled.add(r.uuid());
        } else if (Boolean.TRUE.equals(r.enabled())) {
            disabled.remove(r.uuid());
        }
        return UpdateEventSourceMappingResponse.builder().uuid(r.uuid()).state("Updating").build();
    }

    /** Lists the mappings, filtered by {@code EventSourceArn} and {@code FunctionName}; one page holds them all. */
    @Override
    public ListEventSourceMappingsResponse listEventSourceMappings(ListEventSourceMappingsRequest r) {
        requests.add(r);
        String fn = r.functionName() == null ? null : arn(known(r.functionName()));
        List<EventSourceMappingConfiguration> out = mappings.keySet().stream().sorted().map(this::configuration)
                .filter(m -> m != null && (r.eventSourceArn() == null || r.eventSourceArn().equals(m.eventSourceArn()))
                        && (fn == null || fn.equals(m.functionArn())))
                .toList();
        return ListEventSourceMappingsResponse.builder().eventSourceMappings(out).build();
    }

    private EventSourceMappingConfiguration configuration(String uuid) {
        String queueArn = mappings.get(uuid);
        String fn = mappingFunctions.get(uuid);
        return queueArn == null || fn == null ? null : EventSourceMappingConfiguration.builder().uuid(uuid)
                .eventSourceArn(queueArn).functionArn(fn).state(disabled.contains(uuid) ? "Disabled" : "Enabled")
                .build();
    }

    private static ResourceNotFoundException notFound(String uuid) {
        return ResourceNotFoundException.builder().message("The resource you requested does not exist. (mapping "
                + uuid + ")").statusCode(404).build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
