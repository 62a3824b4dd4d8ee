package io.lambdarelay.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.local.Delivery;
import io.lambdarelay.local.InvocationEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The emulated Lambda service: registered functions, event-source mappings and their pollers,
 * recursion settings and Invoke, behind the REST-JSON API that {@link LambdaEndpoint} serves.
 * Requests are validated as Lambda validates them. Thread-safe.
 */
public final class LambdaService {

    private static final Logger LOG = LoggerFactory.getLogger(LambdaService.class);
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    private final String region;
    private final String accountId;
    private final Clock clock;
    private final int defaultConcurrency;
    private final Duration deletionDelay;
    private final Supplier<SqsClient> sqs;
    private final Supplier<EmbeddedSqs> embeddedSqs;
    private final QueueActivity activity;
    private final ExecutorService workers;
    private final StatsRecorder stats;
    private final LambdaJson json = new LambdaJson();
    private final Invoker invoker;
    private final Map<String, RegisteredFunction> functions = new ConcurrentHashMap<>();
    private final Map<String, Instant> functionsModified = new ConcurrentHashMap<>();
    // Guarded by itself; insertion order is the order List returns.
    private final Map<String, EventSourceMapping> mappings = new LinkedHashMap<>();
    private final List<Consumer<InvocationEvent>> listeners = new CopyOnWriteArrayList<>();
    private final boolean manualDelivery;

    /**
     * Creates the service.
     *
     * @param deletionDelay how long a deleted mapping stays {@code Deleting} after its pollers stop, on {@code clock}
     * @param sqs the client for queue look-ups, read when first needed; the service does not close it
     * @param embeddedSqs the SQS the pollers receive from and delete in, read when first needed
     * @param activity what the embedded SQS reports about its queues, for the pollers' waits
     * @param workers runs handlers and asynchronous invocations; the service does not shut it down
     * @param current marks the thread that runs an invocation, shared with the tracing interceptor
     * @param manualDelivery whether mappings run no pollers and deliver only through {@link #deliverOnce}
     */
    public LambdaService(String region, String accountId, Clock clock, int defaultConcurrency,
            Duration deletionDelay, Supplier<SqsClient> sqs, Supplier<EmbeddedSqs> embeddedSqs, QueueActivity activity, ExecutorService workers, StatsRecorder stats,
            ThreadLocal<ActiveInvocation> current, boolean manualDelivery) {
        this.manualDelivery = manualDelivery;
        this.region = region;
        this.accountId = accountId;
        this.clock = clock;
        this.defaultConcurrency = defaultConcurrency;
        this.deletionDelay = deletionDelay;
        this.sqs = sqs;
        this.embeddedSqs = embeddedSqs;
        this.activity = activity;
        this.workers = workers;
        this.stats = stats;
        this.invoker = new Invoker(workers, current, clock);
    }

    String region() {
        return region;
    }

    boolean manualDelivery() {
        return manualDelivery;
    }

    /**
     * One delivery from a queue by the first enabled mapping that reads it, on the caller's thread
     * (manual delivery).
     *
     * @param queueName the queue
     * @return what it did, or null when no enabled mapping reads the queue, the queue is gone, or
     *     nothing in it is visible
     */
    public Delivery deliverOnce(String queueName) throws InterruptedException {
        removeGoneMappings();
        EventSourceMapping chosen = null;
        synchronized (mappings) {
            for (EventSourceMapping m : mappings.values()) {
                if (!m.isDeleting() && m.config().enabled && QueueNames.fromArn(m.queueArn()).equals(queueName)) {
                    chosen = m;
                    break;
                }
            }
        }
        return chosen == null ? null : chosen.deliverOnce();
    }

    /**
     * {@return the uuids of the mappings, not being deleted, that read a queue}
     *
     * @param queueName the queue
     */
    public List<String> mappingsReading(String queueName) {
        removeGoneMappings();
        List<String> uuids = new ArrayList<>();
        synchronized (mappings) {
            for (EventSourceMapping m : mappings.values()) {
                if (!m.isDeleting() && QueueNames.fromArn(m.queueArn()).equals(queueName)) {
                    uuids.add(m.uuid());
                }
            }
        }
        return uuids;
    }

    int defaultConcurrency() {
        return defaultConcurrency;
    }

    StatsRecorder stats() {
        return stats;
    }

    /** The JSON mapping of the Lambda runtime. */
    public LambdaJson json() {
        return json;
    }

    Invoker invoker() {
        return invoker;
    }

    private volatile java.util.function.Predicate<String> twiceDeliveries = queue -> false;

    /** Asks, before each delivery from a queue (by name), whether to deliver the batch to two invocations at once. */
    public void twiceDeliveries(java.util.function.Predicate<String> twice) {
        this.twiceDeliveries = twice;
    }

    boolean deliverTwice(String queueName) {
        return twiceDeliveries.test(queueName);
    }

    /** The ARN Lambda gives the function with this name. */
    public String functionArn(String name) {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name;
    }

    /**
     * Registers a function.
     *
     * @throws IllegalStateException when a function with that name is already registered
     */
    public RegisteredFunction register(String name, Duration timeout, int memorySizeMb, String handlerName,
            FunctionHandler handler) {
        RegisteredFunction fn = new RegisteredFunction(name, functionArn(name), timeout, memorySizeMb, handlerName,
                handler);
        if (functions.putIfAbsent(name, fn) != null) {
            throw new IllegalStateException("function '" + name + "' is already registered; use another name");
        }
        functionsModified.put(name, clock.instant());
        LOG.debug("registered function {} with timeout {}", name, timeout);
        return fn;
    }

    /**
     * Replaces a registered function's code, as {@code UpdateFunctionCode} does.
     *
     * @throws IllegalStateException when no function of that name is registered
     */
    public void updateCode(String name, String handlerName, FunctionHandler handler) {
        RegisteredFunction fn = functions.get(name);
        if (fn == null) {
            throw new IllegalStateException("function '" + name + "' is not registered; register it first");
        }
        fn.code(handlerName, handler);
        functionsModified.put(name, clock.instant());
        LOG.debug("replaced the code of function {}", name);
    }

    /** Adds a listener called after every invocation and recursion drop. */
    public void addListener(Consumer<InvocationEvent> listener) {
        listeners.add(listener);
    }

    void publish(InvocationEvent event) {
        for (Consumer<InvocationEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("invocation listener {} threw; the invocation is not affected", listener, e);
            }
        }
    }

    /** The queue URLs that enabled mappings read, for the idle check. */
    public List<String> activeSourceQueueUrls() {
        List<String> urls = new ArrayList<>();
        synchronized (mappings) {
            for (EventSourceMapping m : mappings.values()) {
                if (!m.isDeleting() && m.config().enabled && !urls.contains(m.queueUrl())) {
                    urls.add(m.queueUrl());
                }
            }
        }
        return urls;
    }

    // ---------------------------------------------------------------- functions

    RegisteredFunction resolveFunction(String nameOrArn) {
        if (nameOrArn == null || nameOrArn.isBlank()) {
            throw LambdaApiException.invalidParameter("FunctionName is required, was '" + nameOrArn + "'");
        }
        String name = nameOrArn;
        String qualifier = null;
        String[] parts = nameOrArn.split(":", -1);
        if (nameOrArn.startsWith("arn:")) {
            if (parts.length < 7 || !"lambda".equals(parts[2]) || !"function".equals(parts[5])) {
                throw LambdaApiException.invalidParameter("FunctionName is not a function ARN: '" + nameOrArn + "'");
            }
            if (!region.equals(parts[3]) || !accountId.equals(parts[4])) {
                throw functionNotFound(nameOrArn);
            }
            name = parts[6];
            qualifier = parts.length > 7 ? parts[7] : null;
        } else if (parts.length >= 3 && "function".equals(parts[1])) {
            if (!accountId.equals(parts[0])) {
                throw functionNotFound(nameOrArn);
            }
            name = parts[2];
            qualifier = parts.length > 3 ? parts[3] : null;
        } else if (parts.length == 2) {
            name = parts[0];
            qualifier = parts[1];
        }
        RegisteredFunction fn = functions.get(name);
        if (fn == null || (qualifier != null && !"$LATEST".equals(qualifier))) {
            throw functionNotFound(nameOrArn);
        }
        return fn;
    }

    private LambdaApiException functionNotFound(String nameOrArn) {
        int function = nameOrArn.indexOf(":function:");
        String arn = nameOrArn.startsWith("arn:") ? nameOrArn
                : functionArn(function >= 0 ? nameOrArn.substring(function + ":function:".length()) : nameOrArn);
        return LambdaApiException.notFound("Function not found: " + arn);
    }

    ObjectNode functionConfiguration(String nameOrArn) {
        return configurationJson(resolveFunction(nameOrArn));
    }

    ObjectNode getFunction(String nameOrArn) {
        ObjectNode out = json.mapper().createObjectNode();
        out.set("Configuration", functionConfiguration(nameOrArn));
        out.putObject("Code").put("RepositoryType", "S3").put("Location", "");
        return out;
    }

    ObjectNode listFunctions() {
        ObjectNode out = json.mapper().createObjectNode();
        ArrayNode list = out.putArray("Functions");
        functions.values().stream()
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(fn -> list.add(configurationJson(fn)));
        return out;
    }

    private ObjectNode configurationJson(RegisteredFunction fn) {
        ObjectNode c = json.mapper().createObjectNode();
        c.put("FunctionName", fn.name());
        c.put("FunctionArn", fn.arn());
        c.put("Runtime", "java21");
        c.put("Role", "arn:aws:iam::" + accountId + ":role/" + fn.name() + "-role");
        c.put("Handler", fn.handlerName());
        c.put("CodeSize", 0);
        c.put("Description", "registered in-process by LocalAws");
        c.put("Timeout", fn.timeoutSeconds());
        c.put("MemorySize", fn.memorySizeMb());
        c.put("LastModified", LAST_MODIFIED.format(functionsModified.getOrDefault(fn.name(), Instant.EPOCH)));
        c.put("CodeSha256", "");
        c.put("Version", "$LATEST");
        c.putObject("TracingConfig").put("Mode", "PassThrough");
        c.put("State", "Active");
        c.put("LastUpdateStatus", "Successful");
        c.put("PackageType", "Zip");
        c.putArray("Architectures").add("x86_64");
        c.putObject("EphemeralStorage").put("Size", 512);
        return c;
    }

    ObjectNode recursionConfig(String nameOrArn) {
        RegisteredFunction fn = resolveFunction(nameOrArn);
        return json.mapper().createObjectNode().put("RecursiveLoop", fn.recursiveLoop());
    }

    ObjectNode putRecursionConfig(String nameOrArn, JsonNode body) {
        RegisteredFunction fn = resolveFunction(nameOrArn);
        String value = text(body, "RecursiveLoop");
        if (!RegisteredFunction.ALLOW.equals(value) && !RegisteredFunction.TERMINATE.equals(value)) {
            throw LambdaApiException.invalidParameter("RecursiveLoop must be Allow or Terminate, was '" + value + "'");
        }
        fn.recursiveLoop(value);
        LOG.debug("function {} recursion config set to {}", fn.name(), value);
        return json.mapper().createObjectNode().put("RecursiveLoop", value);
    }

    // ---------------------------------------------------------------- event-source mappings

    ObjectNode createMapping(JsonNode body) {
        removeGoneMappings();
        RegisteredFunction fn = resolveFunction(text(body, "FunctionName"));
        String queueArn = text(body, "EventSourceArn");
        String queueName = sqsQueueName(queueArn);
        boolean fifo = queueName.endsWith(".fifo");
        MappingConfig config = validate(body, new MappingConfig(fn, 10, 0, null, true, false), fifo);
        if (body.has("FilterCriteria") && !body.get("FilterCriteria").isNull()) {
            throw LambdaApiException.invalidParameter(
                    "FilterCriteria is not supported by the local Lambda endpoint; filter in the handler");
        }
        String queueUrl = queueUrl(queueName, queueArn);
        checkVisibilityTimeout(queueUrl, queueName, fn);
        String uuid = UUID.randomUUID().toString();
        EventSourceMapping mapping;
        synchronized (mappings) {
            for (EventSourceMapping m : mappings.values()) {
                if (m.queueArn().equals(queueArn) && m.config().function == fn) {
                    throw LambdaApiException.conflict("An event source mapping with SQS arn (\" " + queueArn
                            + " \") and function (\" " + fn.name() + " \") already exists. Please update or "
                            + "delete the existing mapping with UUID " + m.uuid());
                }
            }
            mapping = new EventSourceMapping(this, uuid, queueArn, queueUrl, config, clock.instant());
            mappings.put(uuid, mapping);
        }
        mapping.start();
        LOG.debug("created event-source mapping {} from {} to {}", uuid, queueName, fn.name());
        return mappingJson(mapping, "Creating");
    }

    ObjectNode getMapping(String uuid) {
        removeGoneMappings();
        EventSourceMapping m = mapping(uuid);
        return mappingJson(m, m.state());
    }

    ObjectNode listMappings(String functionName, String eventSourceArn, String marker, String maxItems) {
        removeGoneMappings();
        RegisteredFunction fn = functionName == null ? null : resolveFunction(functionName);
        int start = parseInt("Marker", marker, 0);
        int max = parseInt("MaxItems", maxItems, 100);
        if (max < 1 || max > 10_000) {
            throw LambdaApiException.invalidParameter("MaxItems must be between 1 and 10000, was " + max);
        }
        List<EventSourceMapping> matching = new ArrayList<>();
        synchronized (mappings) {
            for (EventSourceMapping m : mappings.values()) {
                if ((fn == null || m.config().function == fn)
                        && (eventSourceArn == null || m.queueArn().equals(eventSourceArn))) {
                    matching.add(m);
                }
            }
        }
        ObjectNode out = json.mapper().createObjectNode();
        ArrayNode list = out.putArray("EventSourceMappings");
        int end = Math.min(matching.size(), start + max);
        for (int i = start; i < end; i++) {
            list.add(mappingJson(matching.get(i), matching.get(i).state()));
        }
        if (end < matching.size()) {
            out.put("NextMarker", Integer.toString(end));
        }
        return out;
    }

    ObjectNode updateMapping(String uuid, JsonNode body) {
        EventSourceMapping m = mapping(uuid);
        if (m.isDeleting()) {
            throw LambdaApiException.inUse("The event source mapping " + uuid + " is being deleted; "
                    + "create a new one instead");
        }
        MappingConfig old = m.config();
        RegisteredFunction fn = body.hasNonNull("FunctionName") ? resolveFunction(text(body, "FunctionName"))
                : old.function;
        MappingConfig base = new MappingConfig(fn, old.batchSize, old.batchingWindowSeconds, old.maximumConcurrency,
                old.enabled, old.reportBatchItemFailures);
        MappingConfig updated = validate(body, base, QueueNames.fromArn(m.queueArn()).endsWith(".fifo"));
        if (fn != old.function) {
            checkVisibilityTimeout(m.queueUrl(), QueueNames.fromArn(m.queueArn()), fn);
        }
        m.update(updated, clock.instant());
        LOG.debug("updated event-source mapping {}: enabled={}, batchSize={}", uuid, updated.enabled,
                updated.batchSize);
        return mappingJson(m, "Updating");
    }

    /**
     * Deletes a mapping as {@code DeleteEventSourceMapping} would, for an injected fault.
     *
     * @param uuid the mapping
     * @return whether it was there to delete (and not already being deleted)
     */
    public boolean deleteMappingNow(String uuid) throws InterruptedException {
        removeGoneMappings();
        EventSourceMapping m;
        synchronized (mappings) {
            m = mappings.get(uuid);
        }
        if (m == null || m.isDeleting()) {
            return false;
        }
        m.delete(clock.instant());
        LOG.debug("deleting event-source mapping {} (injected)", uuid);
        return true;
    }

    ObjectNode deleteMapping(String uuid) throws InterruptedException {
        removeGoneMappings();
        EventSourceMapping m = mapping(uuid);
        ObjectNode out = mappingJson(m, "Deleting");
        m.delete(clock.instant());
        LOG.debug("deleting event-source mapping {}", uuid);
        return out;
    }

    /** Forgets deleted mappings whose deletion has finished, as Lambda does after {@code Deleting}. */
    private void removeGoneMappings() {
        Instant now = clock.instant();
        synchronized (mappings) {
            mappings.values().removeIf(m -> {
                boolean gone = m.isGone(now, deletionDelay);
                if (gone) {
                    LOG.debug("event-source mapping {} deleted", m.uuid());
                }
                return gone;
            });
        }
    }

    /**
     * {@return the mappings still {@code Deleting}: their pollers or invocations are still running, or the
     * emulated deletion time has not passed}
     */
    public List<String> deletingMappings() {
        removeGoneMappings();
        List<String> uuids = new ArrayList<>();
        synchronized (mappings) {
            for (EventSourceMapping m : mappings.values()) {
                if (m.isDeleting()) {
                    uuids.add(m.uuid());
                }
            }
        }
        return uuids;
    }

    private EventSourceMapping mapping(String uuid) {
        synchronized (mappings) {
            EventSourceMapping m = mappings.get(uuid);
            if (m == null) {
                throw LambdaApiException.notFound("The resource you requested does not exist. "
                        + "(Service: Lambda, event source mapping UUID '" + uuid + "')");
            }
            return m;
        }
    }

    /** Reads the settings in {@code body} over {@code base} and checks them as Lambda does. */
    private MappingConfig validate(JsonNode body, MappingConfig base, boolean fifo) {
        int batchSize = body.hasNonNull("BatchSize") ? intField(body, "BatchSize") : base.batchSize;
        int window = body.hasNonNull("MaximumBatchingWindowInSeconds")
                ? intField(body, "MaximumBatchingWindowInSeconds") : base.batchingWindowSeconds;
        Integer concurrency = base.maximumConcurrency;
        if (body.has("ScalingConfig")) {
            JsonNode scaling = body.get("ScalingConfig");
            concurrency = scaling != null && scaling.hasNonNull("MaximumConcurrency")
                    ? intField(scaling, "MaximumConcurrency") : null;
        }
        boolean enabled = body.hasNonNull("Enabled") ? body.get("Enabled").asBoolean() : base.enabled;
        boolean report = base.reportBatchItemFailures;
        if (body.has("FunctionResponseTypes")) {
            report = false;
            for (JsonNode t : body.get("FunctionResponseTypes")) {
                if (!"ReportBatchItemFailures".equals(t.asText())) {
                    throw LambdaApiException.invalidParameter(
                            "FunctionResponseTypes may only contain ReportBatchItemFailures, was '" + t.asText() + "'");
                }
                report = true;
            }
        }
        int maxBatch = fifo ? 10 : 10_000;
        if (batchSize < 1 || batchSize > maxBatch) {
            throw LambdaApiException.invalidParameter("BatchSize must be between 1 and " + maxBatch
                    + (fifo ? " for a FIFO queue" : "") + ", was " + batchSize);
        }
        if (window < 0 || window > 300) {
            throw LambdaApiException.invalidParameter(
                    "MaximumBatchingWindowInSeconds must be between 0 and 300, was " + window);
        }
        if (batchSize > 10 && window < 1) {
            throw LambdaApiException.invalidParameter("Maximum batch window in seconds must be greater than 0 "
                    + "if maximum batch size is greater than 10 (BatchSize " + batchSize
                    + ", MaximumBatchingWindowInSeconds " + window + ")");
        }
        if (concurrency != null && (concurrency < 2 || concurrency > 1000)) {
            throw LambdaApiException.invalidParameter(
                    "ScalingConfig.MaximumConcurrency must be between 2 and 1000, was " + concurrency);
        }
        return new MappingConfig(base.function, batchSize, window, concurrency, enabled, report);
    }

    private String sqsQueueName(String arn) {
        String[] parts = arn == null ? new String[0] : arn.split(":", -1);
        if (parts.length != 6 || !"arn".equals(parts[0]) || !"sqs".equals(parts[2]) || parts[5].isEmpty()) {
            throw LambdaApiException.invalidParameter("EventSourceArn must be an SQS queue ARN "
                    + "(arn:aws:sqs:" + region + ":" + accountId + ":<queue>), was '" + arn + "'");
        }
        if (!region.equals(parts[3]) || !accountId.equals(parts[4])) {
            throw LambdaApiException.invalidParameter("EventSourceArn '" + arn + "' is not in region " + region
                    + " and account " + accountId + " of this LocalAws");
        }
        return parts[5];
    }

    private String queueUrl(String queueName, String queueArn) {
        try {
            return sqs.get().getQueueUrl(b -> b.queueName(queueName)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            throw LambdaApiException.invalidParameter("Error occurred while ReceiveMessage. SQS Error Code: "
                    + "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not "
                    + "exist: " + queueArn);
        }
    }

    private void checkVisibilityTimeout(String queueUrl, String queueName, RegisteredFunction fn) {
        String value = sqs.get().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT)).attributes()
                .get(QueueAttributeName.VISIBILITY_TIMEOUT);
        int visibility = Integer.parseInt(value);
        if (visibility < fn.timeoutSeconds()) {
            throw LambdaApiException.invalidParameter("Queue visibility timeout: " + visibility
                    + " seconds is less than Function timeout: " + fn.timeoutSeconds() + " seconds (queue "
                    + queueName + ", function " + fn.name() + "); raise the queue's VisibilityTimeout, "
                    + "AWS recommends 6 times the function timeout");
        }
    }

    private ObjectNode mappingJson(EventSourceMapping m, String state) {
        MappingConfig c = m.config();
        ObjectNode o = json.mapper().createObjectNode();
        o.put("UUID", m.uuid());
        o.put("BatchSize", c.batchSize);
        o.put("MaximumBatchingWindowInSeconds", c.batchingWindowSeconds);
        o.put("EventSourceArn", m.queueArn());
        o.put("FunctionArn", c.function.arn());
        o.put("LastModified", m.lastModified().toEpochMilli() / 1000.0);
        o.put("State", state);
        o.put("StateTransitionReason", "USER_INITIATED");
        ArrayNode types = o.putArray("FunctionResponseTypes");
        if (c.reportBatchItemFailures) {
            types.add("ReportBatchItemFailures");
        }
        if (c.maximumConcurrency != null) {
            o.putObject("ScalingConfig").put("MaximumConcurrency", c.maximumConcurrency);
        }
        o.put("EventSourceMappingArn", "arn:aws:lambda:" + region + ":" + accountId + ":event-source-mapping:"
                + m.uuid());
        return o;
    }

    // ---------------------------------------------------------------- invoke

    /**
     * What Invoke answers: status, the function-error header if any, the payload, whether the
     * executed version is reported, and the log tail if one was asked for.
     */
    static final class InvokeResult {
        final int status;
        final String functionError;
        final byte[] payload;
        final boolean synchronous;
        final String logResult;

        private InvokeResult(int status, String functionError, byte[] payload, boolean synchronous,
                String logResult) {
            this.status = status;
            this.functionError = functionError;
            this.payload = payload;
            this.synchronous = synchronous;
            this.logResult = logResult;
        }

        /** Event and DryRun: Lambda answers with the status alone. */
        static InvokeResult statusOnly(int status) {
            return new InvokeResult(status, null, new byte[0], false, null);
        }
    }

    /**
     * Runs Invoke.
     *
     * @param logType {@code None}, {@code Tail} (the log's last 4 KB in the answer, synchronous
     *     calls only) or null
     */
    InvokeResult invoke(String nameOrArn, String invocationType, String logType, byte[] payload)
            throws InterruptedException {
        RegisteredFunction fn = resolveFunction(nameOrArn);
        byte[] event = payload == null || payload.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : payload;
        try {
            json.parse(event);
        } catch (java.io.IOException e) {
            throw LambdaApiException.invalidContent("Could not parse request body into json: the payload is not "
                    + "valid JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (logType != null && !"None".equals(logType) && !"Tail".equals(logType)) {
            throw LambdaApiException.invalidParameter("X-Amz-Log-Type must be None or Tail, was '" + logType + "'");
        }
        boolean tail = "Tail".equals(logType);
        String type = invocationType == null ? "RequestResponse" : invocationType;
        switch (type) {
            case "RequestResponse":
                stats.workStarted();
                try {
                    return runInvoke(fn, event, tail);
                } finally {
                    stats.workDone();
                }
            case "Event":
                stats.workStarted();
                try {
                    workers.execute(() -> {
                        try {
                            runInvoke(fn, event, false);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            stats.workDone();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    stats.workDone();
                    throw e;
                }
                return InvokeResult.statusOnly(202);
            case "DryRun":
                return InvokeResult.statusOnly(204);
            default:
                throw LambdaApiException.invalidParameter(
                        "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, was '" + type + "'");
        }
    }

    private InvokeResult runInvoke(RegisteredFunction fn, byte[] event, boolean tail) throws InterruptedException {
        stats.invocationStarted();
        Invoker.Result r = invoker.invoke(fn, null, event, Lineage.empty(), null);
        InvocationEvent.Outcome outcome;
        String functionError;
        byte[] payload;
        switch (r.status()) {
            case OK:
                outcome = InvocationEvent.Outcome.SUCCEEDED;
                functionError = null;
                payload = r.output() == null ? new byte[0] : r.output();
                break;
            case ERROR:
                stats.functionError();
                outcome = InvocationEvent.Outcome.FAILED;
                functionError = "Unhandled";
                payload = errorPayload(r.error());
                break;
            default:
                stats.timeout();
                outcome = InvocationEvent.Outcome.TIMED_OUT;
                functionError = "Unhandled";
                payload = json.mapper().createObjectNode()
                        .put("errorType", "Sandbox.Timedout")
                        .put("errorMessage", "RequestId: " + r.requestId() + " Error: Task timed out after "
                                + String.format("%.2f", fn.timeout().toMillis() / 1000.0) + " seconds")
                        .toString().getBytes(StandardCharsets.UTF_8);
        }
        publish(new InvocationEvent(fn.name(), r.requestId(), InvocationEvent.Trigger.INVOKE, outcome, 0, 0, 0,
                r.duration()));
        return new InvokeResult(200, functionError, payload, true, tail ? r.log().tailBase64() : null);
    }

    private byte[] errorPayload(Throwable error) {
        ObjectNode e = json.mapper().createObjectNode();
        e.put("errorMessage", String.valueOf(error.getMessage()));
        e.put("errorType", error.getClass().getName());
        ArrayNode trace = e.putArray("stackTrace");
        for (StackTraceElement element : error.getStackTrace()) {
            trace.add(element.toString());
        }
        if (error.getCause() != null) {
            StringWriter cause = new StringWriter();
            error.getCause().printStackTrace(new PrintWriter(cause));
            e.put("cause", cause.toString());
        }
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- SQS plumbing for pollers

    QueueActivity activity() {
        return activity;
    }

    /** How long the fair-queue stage keeps the messages it took hidden in the queue: SQS's longest. */
    private static final Duration STAGED = Duration.ofHours(12);
    /** Messages a stage takes from the queue per receive while it refills. */
    private static final int REFILL = 1_000;
    private volatile boolean fairQueues;
    private final Map<String, FairStage> stages = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Emulates SQS fair queues on every queue: the pollers deliver the messages of quiet message
     * groups first, as AWS documents it ({@link FairStage}).
     *
     * @param on whether to
     */
    public void fairQueues(boolean on) {
        this.fairQueues = on;
    }

    /** A short poll: the pollers wait on {@link QueueActivity} instead of long-polling. */
    List<ReceivedMessage> receive(String queueName, int max) {
        if (!fairQueues) {
            return embeddedSqs.get().receive(queueName, max);
        }
        FairStage stage = stages.computeIfAbsent(queueName, q -> new FairStage(clock));
        synchronized (stage) {
            // Everything visible goes into the stage (hidden in the queue meanwhile), then the batch comes from it.
            while (true) {
                List<ReceivedMessage> more = embeddedSqs.get().receive(queueName, REFILL, STAGED);
                stage.add(more);
                if (more.size() < REFILL) {
                    break;
                }
            }
            List<ReceivedMessage> batch = stage.take(max);
            // Its visibility timeout starts now, as if it had been received now.
            embeddedSqs.get().changeVisibility(queueName, batch.stream().map(ReceivedMessage::receiptHandle).toList(),
                    null);
            return batch;
        }
    }

    /** A batch's invocation ended; for the fair-queue emulation its messages are no longer in flight. */
    void settled(String queueName, List<ReceivedMessage> batch) {
        FairStage stage = stages.get(queueName);
        if (stage != null) {
            stage.settled(batch);
        }
    }

    /** {@return how many of the messages could not be deleted} */
    int delete(String queueName, List<String> receiptHandles) {
        return embeddedSqs.get().delete(queueName, receiptHandles);
    }

    /**
     * Stops every mapping's pollers, interrupting them, and waits for them at most {@code timeout}.
     */
    public void close(Duration timeout) {
        List<EventSourceMapping> all;
        synchronized (mappings) {
            all = new ArrayList<>(mappings.values());
        }
        List<Thread> threads = new ArrayList<>();
        for (EventSourceMapping m : all) {
            threads.addAll(m.close());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, remaining / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------- JSON helpers

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static int intField(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw LambdaApiException.invalidParameter(field + " must be an integer, was " + n);
        }
        return n.asInt();
    }

    private static int parseInt(String field, String value, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw LambdaApiException.invalidParameter(field + " must be an integer, was '" + value + "'");
        }
    }
}
