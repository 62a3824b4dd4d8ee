package io.lambdarelay.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.internal.ActiveInvocation;
import io.lambdarelay.local.internal.ControlPlaneQuota;
import io.lambdarelay.local.internal.EmbeddedSqs;
import io.lambdarelay.local.internal.FunctionHandler;
import io.lambdarelay.local.internal.Handlers;
import io.lambdarelay.local.internal.HeldSends;
import io.lambdarelay.local.internal.LambdaEndpoint;
import io.lambdarelay.local.internal.LambdaService;
import io.lambdarelay.local.internal.QueueActivity;
import io.lambdarelay.local.internal.QueueNames;
import io.lambdarelay.local.internal.RegisteredFunction;
import io.lambdarelay.local.internal.SqsTracingInterceptor;
import io.lambdarelay.local.internal.StatsRecorder;
import io.lambdarelay.local.internal.SystemProperties;
import io.lambdarelay.local.internal.TimeSkipper;
import io.lambdarelay.local.internal.TimeoutFreeze;
import io.lambdarelay.local.internal.VirtualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SQS and Lambda on one machine, with no AWS account: embedded ElasticMQ as SQS and an in-JVM
 * Lambda endpoint that speaks Lambda's REST API (event-source mappings, Invoke, function
 * configuration, recursion config), each on a free loopback port. Functions are registered
 * in-process with a handler; event-source mappings poll their queues and invoke them as Lambda
 * does, including batch item failures, timeouts and the recursive-loop cut-off.
 * <pre>{@code
 * try (LocalAws aws = LocalAws.start()) {
 *     aws.registerFunction("worker", Duration.ofSeconds(10), new Worker());
 *     SqsClient sqs = aws.sqsClient();       // SDK clients pointed at the local endpoints
 *     LambdaClient lambda = aws.lambdaClient();
 *     ...
 *     aws.awaitIdle(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p><b>Recursive loops.</b> Like the Lambda runtime with X-Ray, a message that a handler sends
 * through {@link #sqsClient()} from the thread that runs the invocation carries the invocation's
 * lineage in its {@code AWSTraceHeader}; with the default recursion config {@code Terminate} an
 * event that has passed through the same function 16 times is dropped (not deleted, so the queue's
 * redrive policy moves it to the dead-letter queue). Messages sent from other threads the handler
 * starts, or through SQS clients built elsewhere, carry no lineage and are not traced.
 *
 * <p><b>Not emulated.</b> An asynchronous ({@code Event}) invocation runs once: Lambda's two
 * retries, destinations and event filtering ({@code FilterCriteria}, refused) are not emulated.
 * Functions always run at {@code $LATEST}; qualifiers other than {@code $LATEST} are not found.
 *
 * <p><b>Clients.</b> {@code LocalAws} creates the clients it hands out and closes them in
 * {@link #close()}; don't close them yourself.
 *
 * <p>Thread-safe.
 */
public final class LocalAws implements AutoCloseable {

    /** The region used when none is set. */
    public static final String DEFAULT_REGION = "us-east-1";
    /** The account id used when none is set. */
    public static final String DEFAULT_ACCOUNT_ID = "000000000000";
    /** Pollers per event-source mapping without a MaximumConcurrency (Lambda starts with five). */
    public static final int DEFAULT_CONCURRENCY = 5;

    private static final Logger LOG = LoggerFactory.getLogger(LocalAws.class);
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    private static final long MAX_IDLE_BACKOFF_MILLIS = 50;
    /** The access key id and secret of every client; the local stack checks neither. */
    private static final String ACCESS_KEY = "local";

    private final Region region;
    private final String accountId;
    private final StatsRecorder stats = new StatsRecorder();
    /**
     * The invocation a thread runs for. Inherited by the threads a handler starts: on Lambda one
     * invocation at a time owns the whole environment, so whatever thread acts, acts for it.
     */
    private final ThreadLocal<ActiveInvocation> currentInvocation = new InheritableThreadLocal<>();
    private final TimeoutFreeze freeze = new TimeoutFreeze(currentInvocation, stats);
    private final Faults faults;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final EmbeddedSqs sqsServer;
    private final URI sqsEndpoint;
    private final ExecutorService workers;
    private final ExecutorService httpThreads;
    private final SqsClient internalSqs;
    private final SqsClient sqsClient;
    /** The clients behind the faults, which close releases. */
    private final SqsClient tracedSqs;
    private final LambdaService service;
    private final ControlPlaneQuota quota;
    private final LambdaEndpoint lambdaEndpoint;
    private final LambdaClient lambdaClient;
    private final LambdaClient realLambda;
    private final Clock clock;
    /** Under virtual time: the messages held for their delay, and what skips idle time; else null. */
    private final HeldSends heldSends;
    private final TimeSkipper skipper;
    private final boolean manualDelivery;
    /** The system properties this instance set, with the values they had before; empty unless asked for. */
    private final Map<String, String> replacedProperties;

    private LocalAws(Builder b) {
        long started = System.nanoTime();
        this.region = Region.of(b.region);
        VirtualClock virtual = b.virtualTime ? new VirtualClock() : null;
        this.clock = virtual != null ? virtual : b.clock;
        this.faults = Faults.create(clock, new Faults.Host() {
            @Override
            public boolean inInvocation() {
                return currentInvocation.get() != null;
            }

            @Override
            public void killCurrentInvocation() {
                ActiveInvocation invocation = currentInvocation.get();
                if (invocation != null) {
                    invocation.timedOut().set(true);
                }
            }

            @Override
            public String deleteCurrentMapping() {
                ActiveInvocation invocation = currentInvocation.get();
                String uuid = invocation == null ? null : invocation.mappingUuid();
                try {
                    return uuid != null && service.deleteMappingNow(uuid) ? uuid : null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        });
        this.accountId = b.accountId;
        QueueActivity activity = new QueueActivity(virtual != null ? virtual::millis : System::currentTimeMillis);
        // ElasticMQ (an actor system and an HTTP server) and the SDK clients each take most of a
        // second to load; start them side by side, on a port chosen beforehand.
        int port = freeLoopbackPort();
        CompletableFuture<EmbeddedSqs> sqsStart = CompletableFuture.supplyAsync(
                () -> new EmbeddedSqs(b.region, b.accountId, port, activity, virtual),
                r -> daemonThreads("relay-local-start-").newThread(r).start());
        SqsClient internal = null;
        SqsClient traced = null;
        LambdaEndpoint endpoint = null;
        LambdaClient lambda = null;
        EmbeddedSqs sqs = null;
        try {
            this.workers = Executors.newCachedThreadPool(daemonThreads("relay-local-function-"));
            this.httpThreads = Executors.newCachedThreadPool(daemonThreads("relay-local-lambda-api-"));
            URI plannedEndpoint = URI.create("http://127.0.0.1:" + port);
            internal = sqsClient(plannedEndpoint, null);
            traced = sqsClient(plannedEndpoint, new SqsTracingInterceptor(currentInvocation, stats));
            this.service = new LambdaService(b.region, b.accountId, clock, b.defaultConcurrency,
                    b.mappingDeletionDelay, this::internalSqs, this::embeddedSqs, activity, workers, stats,
                    currentInvocation, b.manualDelivery);
            service.twiceDeliveries(faults::takeTwiceDelivery);
            service.fairQueues(b.fairQueues);
            this.quota = new ControlPlaneQuota(b.controlPlaneRate);
            endpoint = new LambdaEndpoint(service, httpThreads, quota);
            lambda = LambdaClient.builder()
                    .endpointOverride(endpoint.uri())
                    .region(region)
                    .credentialsProvider(credentials())
                    // An Invoke waits for the function, which may run up to Lambda's 15 minutes.
                    .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(MAX_TIMEOUT.plusMinutes(1)))
                    .overrideConfiguration(c -> c.addExecutionInterceptor(freeze))
                    .build();
            try {
                sqs = sqsStart.join();
            } catch (CompletionException e) {
                // Most likely another process took the port in between: start on any free one.
                LOG.debug("embedded SQS could not start on port {} ({}); trying another", port, e.getCause().toString());
                sqs = new EmbeddedSqs(b.region, b.accountId, 0, activity, virtual);
                internal.close();
                traced.close();
                internal = sqsClient(sqs.endpoint(), null);
                traced = sqsClient(sqs.endpoint(), new SqsTracingInterceptor(currentInvocation, stats));
            }
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {endpoint, lambda, internal, traced}) {
                closeQuietly(c);
            }
            closeQuietly(sqs != null ? sqs : sqsStart.exceptionally(t -> null).join());
            if (e instanceof IOException) {
                throw new UncheckedIOException("cannot start the local Lambda endpoint on a loopback port",
                        (IOException) e);
            }
            throw (RuntimeException) e;
        }
        this.sqsServer = sqs;
        this.sqsEndpoint = sqs.endpoint();
        this.internalSqs = internal;
        this.tracedSqs = traced;
        this.heldSends = virtual == null ? null
                : new HeldSends(virtual, currentInvocation, name -> sqsServer.queueExists(name));
        this.sqsClient = faults.sqs(heldSends == null ? traced : heldSends.wrap(traced));
        this.lambdaEndpoint = endpoint;
        this.realLambda = lambda;
        this.lambdaClient = faults.lambda(lambda);
        this.replacedProperties = b.systemProperties ? setSystemProperties() : Map.of();
        this.skipper = virtual == null ? null
                : new TimeSkipper(virtual, activity, stats, heldSends, traced, !b.manualDelivery);
        this.manualDelivery = b.manualDelivery;
        LOG.info("LocalAws started in {} ms: SQS at {}, Lambda at {}, region {}, account {}",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), sqsEndpoint, lambdaEndpoint.uri(),
                region, accountId);
    }

    private SqsClient internalSqs() {
        return internalSqs;
    }

    private EmbeddedSqs embeddedSqs() {
        return sqsServer;
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port for the embedded SQS", e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("LocalAws start failed; closing {} failed too: {}", c, e.toString());
        }
    }

    /** {@return a started {@code LocalAws} with the default region, account and concurrency; close it when done} */
    public static LocalAws start() {
        return builder().start();
    }

    /** {@return a builder for non-default settings} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the SQS client to use in tests and handlers; traces lineage and counts messages} */
    public SqsClient sqsClient() {
        return sqsClient;
    }

    /**
     * Returns the clock of this {@code LocalAws}: the one its builder was given, or with
     * {@link Builder#virtualTime(boolean)} the virtual one, by which the embedded SQS dates
     * message delays and visibility. Give it to the {@code Relay} and the janitor under test.
     *
     * @return the clock
     */
    public Clock clock() {
        return clock;
    }

    /**
     * Moves virtual time forward, e.g. past a relay's expiry before a janitor sweep; messages
     * whose delay or visibility timeout ends meanwhile become visible. Time also skips by itself
     * whenever nothing runs until the next message is due; this is for the time no message waits
     * for.
     *
     * @param amount how far, zero or more
     * @throws IllegalStateException without {@link Builder#virtualTime(boolean)}, or when closed
     * @throws IllegalArgumentException when the amount is negative
     */
    public void advanceTime(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        checkOpen();
        if (!(clock instanceof VirtualClock)) {
            throw new IllegalStateException("advanceTime needs virtual time: start LocalAws with "
                    + "LocalAws.builder().virtualTime(true)");
        }
        ((VirtualClock) clock).advance(amount);
        skipper.wake();
    }

    /**
     * {@return how far virtual time has skipped ahead of the system clock; zero without
     * {@link Builder#virtualTime(boolean)}}
     */
    public Duration timeSkipped() {
        return clock instanceof VirtualClock ? ((VirtualClock) clock).skipped() : Duration.ZERO;
    }

    /** {@return the Lambda client, pointed at the local Lambda endpoint} */
    public LambdaClient lambdaClient() {
        return lambdaClient;
    }

    /**
     * Lambda control-plane requests answered so far (every Lambda API request but Invoke), from
     * any client.
     *
     * @return the count
     */
    public long controlPlaneRequests() {
        return quota.allowed();
    }

    /**
     * Lambda control-plane requests refused with {@code TooManyRequestsException} so far, by
     * {@link Builder#controlPlaneRate(double)}; the SDK retries them, so one call may be refused
     * more than once.
     *
     * @return the count
     */
    public long controlPlaneThrottled() {
        return quota.refused();
    }

    /**
     * Returns the faults in front of {@link #sqsClient()} and {@link #lambdaClient()}: failed and
     * throttled calls, lost responses, failed batch entries, lagging counts, empty short polls,
     * each scoped to operations and to a relay, queue or function, and each recorded. None is
     * injected until a test asks.
     *
     * <pre>{@code
     * aws.faults().on("SendMessage").target(pkt.relayId()).times(2).throttle();
     * }</pre>
     *
     * @return the faults; thread-safe
     */
    public Faults faults() {
        return faults;
    }

    /**
     * Returns the interceptor that stops the AWS calls of a timed-out invocation, for SDK clients
     * you build yourself (a DynamoDB client for dynalite, say). On Lambda no code of an invocation
     * runs after its timeout; here its threads, and the threads it started, are interrupted, and a
     * call they make after the timeout through {@link #sqsClient()}, {@link #lambdaClient()} or a
     * client with this interceptor never reaches the service: it waits until this {@code LocalAws}
     * closes, then fails ({@link LocalStats#callsAfterTimeout()} counts them).
     *
     * <pre>{@code
     * DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(dynalite)
     *         .overrideConfiguration(c -> c.addExecutionInterceptor(aws.timeoutInterceptor()))
     *         .build();
     * }</pre>
     *
     * @return the interceptor; shared, thread-safe
     */
    public ExecutionInterceptor timeoutInterceptor() {
        return freeze;
    }

    /** {@return the region of the queue and function ARNs} */
    public Region region() {
        return region;
    }

    /** {@return the account id of the queue and function ARNs} */
    public String accountId() {
        return accountId;
    }

    /** {@return the embedded SQS endpoint, for clients you build yourself} */
    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    /** {@return the local Lambda endpoint, for clients you build yourself} */
    public URI lambdaEndpoint() {
        return lambdaEndpoint.uri();
    }

    /**
     * The environment variables that point the AWS SDKs and the AWS CLI at this {@code LocalAws}:
     * {@code AWS_ENDPOINT_URL_SQS}, {@code AWS_ENDPOINT_URL_LAMBDA}, {@code AWS_REGION},
     * {@code AWS_DEFAULT_REGION}, {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}. Pass
     * them to a process you start (a CLI, a build of yours), so that code calling
     * {@code SqsClient.create()} or {@code Relay.create()} runs unchanged against it. In this JVM
     * use {@link Builder#systemProperties(boolean)}: Java cannot change its own environment.
     *
     * @return the variables, in a fixed order; unmodifiable
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString());
        env.put("AWS_ENDPOINT_URL_LAMBDA", lambdaEndpoint.uri().toString());
        env.put("AWS_REGION", region.id());
        env.put("AWS_DEFAULT_REGION", region.id());
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", ACCESS_KEY);
        return Collections.unmodifiableMap(env);
    }

    /**
     * The Java system properties that point the AWS SDK for Java v2 at this {@code LocalAws}, the
     * counterparts of {@link #environment()}: {@code aws.endpointUrlSqs},
     * {@code aws.endpointUrlLambda}, {@code aws.region}, {@code aws.accessKeyId} and
     * {@code aws.secretAccessKey}. The SDK reads them when a client is built and prefers them to
     * environment variables. {@link Builder#systemProperties(boolean)} sets them for you.
     *
     * @return the properties, in a fixed order; unmodifiable
     */
    public Map<String, String> systemProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("aws.endpointUrlSqs", sqsEndpoint.toString());
        props.put("aws.endpointUrlLambda", lambdaEndpoint.uri().toString());
        props.put("aws.region", region.id());
        props.put("aws.accessKeyId", ACCESS_KEY);
        props.put("aws.secretAccessKey", ACCESS_KEY);
        return Collections.unmodifiableMap(props);
    }

    private Map<String, String> setSystemProperties() {
        Map<String, String> previous = SystemProperties.set(systemProperties());
        LOG.debug("LocalAws set the system properties {}", previous.keySet());
        return previous;
    }

    /**
     * Registers a function that consumes SQS events, typically the worker an event-source mapping
     * invokes.
     *
     * @param name the function name, 1-64 letters, digits, hyphens or underscores
     * @param timeout invocations running longer are interrupted and fail; at most 15 minutes
     * @param handler the function's code
     * @return the registered function
     * @throws IllegalArgumentException when the name or timeout is invalid
     * @throws IllegalStateException when a function of that name is already registered, or this
     *     {@code LocalAws} is closed
     */
    public LocalFunction registerFunction(String name, Duration timeout,
            RequestHandler<SQSEvent, SQSBatchResponse> handler) {
        return registerFunction(name, timeout, SQSEvent.class, handler);
    }

    /**
     * Registers a function with any input type; the payload is deserialized into {@code inputType}
     * and the result serialized back, as the Java runtime does.
     *
     * @param name the function name, 1-64 letters, digits, hyphens or underscores
     * @param timeout invocations running longer are interrupted and fail; at most 15 minutes
     * @param inputType the handler's input class, e.g. {@code Map.class} or {@code SQSEvent.class}
     * @param handler the function's code
     * @param <I> the input type
     * @param <O> the output type
     * @return the registered function
     * @throws IllegalArgumentException when the name or timeout is invalid
     * @throws IllegalStateException when a function of that name is already registered, or this
     *     {@code LocalAws} is closed
     */
    public <I, O> LocalFunction registerFunction(String name, Duration timeout, Class<I> inputType,
            RequestHandler<I, O> handler) {
        Objects.requireNonNull(inputType, "inputType");
        Objects.requireNonNull(handler, "handler");
        return register(name, timeout, handler.getClass().getName() + "::handleRequest",
                Handlers.typed(service.json(), inputType, handler));
    }

    /**
     * Registers a function with a stream handler, which gets the raw payload.
     *
     * @param name the function name, 1-64 letters, digits, hyphens or underscores
     * @param timeout invocations running longer are interrupted and fail; at most 15 minutes
     * @param handler the function's code
     * @return the registered function
     * @throws IllegalArgumentException when the name or timeout is invalid
     * @throws IllegalStateException when a function of that name is already registered, or this
     *     {@code LocalAws} is closed
     */
    public LocalFunction registerStreamFunction(String name, Duration timeout, RequestStreamHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return register(name, timeout, handler.getClass().getName() + "::handleRequest", Handlers.stream(handler));
    }

    /**
     * Replaces the code of a registered function, as deploying a new version with
     * {@code UpdateFunctionCode} does: invocations that start from now on run {@code handler};
     * one that runs finishes with the old code. Its name, ARN, timeout, recursion config and
     * mappings stay. Use it to show that a relay goes on with fixed code.
     *
     * @param name the function's name
     * @param handler the new code
     * @throws IllegalStateException when no function of that name is registered, or when closed
     */
    public void updateFunctionCode(String name, RequestHandler<SQSEvent, SQSBatchResponse> handler) {
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        service.updateCode(name, handler.getClass().getName() + "::handleRequest",
                Handlers.typed(service.json(), SQSEvent.class, handler));
    }

    private LocalFunction register(String name, Duration timeout, String handlerName, FunctionHandler handler) {
        if (name == null || !FUNCTION_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "function name must be 1-64 letters, digits, hyphens or underscores, was '" + name + "'");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("function timeout must be positive and at most " + MAX_TIMEOUT
                    + ", was " + timeout + " for function '" + name + "'");
        }
        checkOpen();
        RegisteredFunction fn = service.register(name, timeout, LocalContext.DEFAULT_MEMORY_MB, handlerName, handler);
        return new LocalFunction(fn.name(), fn.arn(), fn.timeout(), fn.memorySizeMb());
    }

    /**
     * Adds a listener called after every invocation (and for every recursion drop), on the thread
     * that ran the poll or the Invoke call; keep it quick. An exception it throws is logged and
     * does not affect the invocation.
     *
     * @param listener called with each {@link InvocationEvent}
     */
    public void onInvocation(Consumer<InvocationEvent> listener) {
        service.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * A snapshot of the counters, with the current depth of every dead-letter queue.
     *
     * @return the snapshot
     * @throws software.amazon.awssdk.core.exception.SdkException when the embedded SQS cannot be read
     */
    public LocalStats stats() {
        LocalStats.Builder snapshot = stats.snapshot();
        if (!closed.get()) {
            snapshot.dlqMessages(dlqDepths());
        }
        return snapshot.build();
    }

    private Map<String, Long> dlqDepths() {
        return sqsServer.deadLetterQueueDepths();
    }

    /**
     * Waits until nothing is left to do: no invocation runs, no queue that an enabled
     * event-source mapping reads holds a message (visible, in flight or delayed), and no deleted
     * mapping is still {@code Deleting} (Lambda lists a mapping in that state until its pollers
     * have stopped; see {@link Builder#mappingDeletionDelay(Duration)}). So straight after it
     * returns, {@code listEventSourceMappings()} no longer shows a mapping a relay's tear-down
     * deleted. Dead-letter queues and queues no mapping reads are not waited for. Polls with a
     * short backoff.
     *
     * @param timeout how long to wait at most
     * @throws IdleTimeoutException when work is still going on after {@code timeout}; its
     *     message says what
     * @throws IllegalStateException when this {@code LocalAws} is closed
     * @throws IllegalArgumentException when the timeout is negative
     */
    public void awaitIdle(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, was " + timeout);
        }
        checkOpen();
        if (manualDelivery) {
            throw new IllegalStateException("under manualDelivery nothing is delivered by itself, so awaitIdle "
                    + "would wait for nothing: deliver with deliver(queueUrl) or deliverAll(queueUrl, max)");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = 2;
        while (true) {
            int running = stats.running();
            Map<String, Long> busy = busySourceQueues();
            List<String> deleting = service.deletingMappings();
            if (running == 0 && busy.isEmpty() && deleting.isEmpty() && stats.running() == 0) {
                return;
            }
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new IdleTimeoutException(timeout, running, busy, deleting);
            }
            try {
                stats.awaitWorkDone(Math.min(backoff, remainingMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for LocalAws to become idle", e);
            }
            backoff = Math.min(MAX_IDLE_BACKOFF_MILLIS, backoff * 2);
        }
    }

    /**
     * Delivers one batch from a queue, with {@link Builder#manualDelivery(boolean)}: the enabled
     * event-source mapping that reads the queue receives up to its batch size of visible messages,
     * invokes its function on a worker thread (timeout, faults and recursion check as always), waits
     * for it, deletes what succeeded and leaves the failed messages to their visibility timeout,
     * as a poller would. Under {@linkplain Builder#virtualTime(boolean) virtual time}, when nothing is
     * visible, time first moves to the moment the queue's next message becomes visible (a delay
     * ending, or a failed batch's visibility timeout), as a waiting poller would see it.
     *
     * <pre>{@code
     * try (LocalAws aws = LocalAws.builder().virtualTime(true).manualDelivery(true).start()) {
     *     ...
     *     Delivery first = aws.deliver(pkt.queueUrl());      // hop 1
     *     assertEquals(Set.of(), first.failedIds());
     *     aws.deliverAll(pkt.queueUrl(), 100);                // the rest of the relay
     * }
     * }</pre>
     *
     * @param queueUrl the queue's URL
     * @return what the delivery did, or null when there is nothing to deliver: nothing visible (nor
     *     due, under virtual time), the queue is gone, or no enabled mapping reads it
     * @throws IllegalStateException without manual delivery, or when closed or interrupted
     */
    public Delivery deliver(String queueUrl) {
        Objects.requireNonNull(queueUrl, "queueUrl");
        checkOpen();
        if (!manualDelivery) {
            throw new IllegalStateException("deliver is for manual delivery: start LocalAws with "
                    + "LocalAws.builder().manualDelivery(true); otherwise mappings deliver by themselves "
                    + "(wait for them with awaitIdle)");
        }
        String name = QueueNames.fromUrl(queueUrl);
        try {
            Delivery d = service.deliverOnce(name);
            if (d != null || skipper == null || service.mappingsReading(name).isEmpty() || !skipper.skipTo(name)) {
                return d;
            }
            return service.deliverOnce(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering from " + name, e);
        }
    }

    /**
     * Delivers from a queue, one batch at a time as {@link #deliver(String)} does, until there is
     * nothing to deliver (under virtual time: until the queue holds nothing, is gone or is no longer
     * read by an enabled mapping) or {@code max} deliveries were made.
     *
     * @param queueUrl the queue's URL
     * @param max the most deliveries to make, 1 or more: a bound for a relay that never ends
     * @return the deliveries made, in order
     * @throws IllegalStateException without manual delivery, or when closed or interrupted
     * @throws IllegalArgumentException when {@code max} is below 1
     */
    public List<Delivery> deliverAll(String queueUrl, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be 1 or more, was " + max);
        }
        List<Delivery> out = new ArrayList<>();
        while (out.size() < max) {
            Delivery d = deliver(queueUrl);
            if (d == null) {
                break;
            }
            out.add(d);
        }
        return out;
    }

    private Map<String, Long> busySourceQueues() {
        Map<String, Long> busy = new TreeMap<>();
        // Asked of the queue actors directly: a queue a tear-down deletes meanwhile is skipped quietly,
        // where an HTTP request would make ElasticMQ log an error for it.
        for (String url : service.activeSourceQueueUrls()) {
            String name = QueueNames.fromUrl(url);
            long held = sqsServer.messagesHeld(name).orElse(0) + (heldSends == null ? 0 : heldSends.held(name));
            if (held > 0) {
                busy.put(name, held);
            }
        }
        return busy;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this LocalAws is closed; start a new one");
        }
    }

    /**
     * Stops everything: the Lambda endpoint, the pollers (interrupting running handlers), the
     * clients handed out, and the embedded SQS. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        List<Runnable> steps = new ArrayList<>();
        steps.add(lambdaEndpoint::close);
        if (skipper != null) {
            steps.add(skipper::close);
        }
        steps.add(freeze::release);
        steps.add(() -> service.close(CLOSE_WAIT));
        steps.add(workers::shutdownNow);
        steps.add(realLambda::close);
        steps.add(tracedSqs::close);
        steps.add(internalSqs::close);
        steps.add(sqsServer::close);
        steps.add(httpThreads::shutdownNow);
        steps.add(() -> SystemProperties.restore(replacedProperties));
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                LOG.warn("LocalAws close: a step failed, going on with the rest", e);
            }
        }
        LOG.info("LocalAws stopped in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private SqsClient sqsClient(URI endpoint, SqsTracingInterceptor interceptor) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> {
                    if (interceptor != null) {
                        c.addExecutionInterceptor(freeze);
                        c.addExecutionInterceptor(interceptor);
                    }
                })
                .build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, ACCESS_KEY));
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "LocalAws{sqs=" + sqsEndpoint + ", lambda=" + lambdaEndpoint.uri() + ", region=" + region
                + ", account=" + accountId + (closed.get() ? ", closed" : "") + "}";
    }

    /** Builds and starts a {@link LocalAws}. Not thread-safe. */
    public static final class Builder {
        private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
        private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");

        private String region = DEFAULT_REGION;
        private String accountId = DEFAULT_ACCOUNT_ID;
        private int defaultConcurrency = DEFAULT_CONCURRENCY;
        private Clock clock = Clock.systemUTC();
        private Duration mappingDeletionDelay = Duration.ZERO;
        private boolean systemProperties;
        private boolean virtualTime;
        private boolean manualDelivery;
        private double controlPlaneRate;
        private boolean fairQueues;

        private Builder() {
        }

        /**
         * Emulates SQS fair queues on every queue, by the rules AWS documents: a message group
         * ({@code MessageGroupId}, the tenant) is noisy with more than 10% of the messages in flight
         * and at least 30 of its own, or more than 10% of the recent processing time (the last 60 s
         * here), until its backlog drains; each mapping delivers quiet groups' messages first, and
         * among noisy groups the one with the fewest in flight. So one group with thousands of
         * messages does not delay a group with one. Messages waiting to be delivered count as in
         * flight in the queue's attributes meanwhile. For measuring fairness; default {@code false}
         * (the embedded SQS's own order).
         *
         * @param fair whether to
         * @return this builder
         */
        public Builder fairQueues(boolean fair) {
            this.fairQueues = fair;
            return this;
        }

        /**
         * Refuses Lambda control-plane requests (every Lambda API request but Invoke) over this
         * many a second with {@code TooManyRequestsException}, as AWS does at about 15 a second per
         * account and Region. Default 0: no quota. Counted either way:
         * {@link LocalAws#controlPlaneRequests()}, {@link LocalAws#controlPlaneThrottled()}.
         *
         * @param requestsPerSecond the rate, 0 for none
         * @return this builder
         */
        public Builder controlPlaneRate(double requestsPerSecond) {
            this.controlPlaneRate = requestsPerSecond;
            return this;
        }

        /**
         * The region of the ARNs and clients; defaults to {@value LocalAws#DEFAULT_REGION}.
         *
         * @param region the region
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /**
         * The region of the ARNs and clients; defaults to {@value LocalAws#DEFAULT_REGION}.
         *
         * @param region the region
         * @return this builder
         */
        public Builder region(Region region) {
            this.region = region == null ? null : region.id();
            return this;
        }

        /**
         * The 12-digit account id of the ARNs; defaults to {@value LocalAws#DEFAULT_ACCOUNT_ID}.
         *
         * @param accountId the account id
         * @return this builder
         */
        public Builder accountId(String accountId) {
            this.accountId = accountId;
            return this;
        }

        /**
         * Pollers (and so concurrent invocations) per event-source mapping that sets no
         * {@code ScalingConfig.MaximumConcurrency}; defaults to {@value LocalAws#DEFAULT_CONCURRENCY}.
         *
         * @param defaultConcurrency pollers per mapping, 1-1000
         * @return this builder
         */
        public Builder defaultConcurrency(int defaultConcurrency) {
            this.defaultConcurrency = defaultConcurrency;
            return this;
        }

        /**
         * The clock handlers see through {@link LocalContext#getRemainingTimeInMillis()} and that
         * dates mappings and functions; defaults to the system clock. Timeouts are enforced in
         * real time whatever the clock says, so a stuck handler is still stopped.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * How long a deleted event-source mapping stays listed as {@code Deleting} after its
         * pollers and invocations have stopped, measured on the {@linkplain #clock(Clock) clock}.
         * Lambda takes a few seconds; the default, zero, keeps tests fast while a mapping is still
         * {@code Deleting} for as long as an invocation it started runs. Set it (and move a fake
         * clock) to test code that must cope with the {@code Deleting} state;
         * {@link LocalAws#awaitIdle(Duration)} waits it out.
         *
         * @param mappingDeletionDelay zero or more
         * @return this builder
         */
        public Builder mappingDeletionDelay(Duration mappingDeletionDelay) {
            this.mappingDeletionDelay = mappingDeletionDelay;
            return this;
        }

        /**
         * Whether to set the Java system properties of {@link LocalAws#systemProperties()} when
         * started, and restore their previous values when closed; off by default. With it, SDK
         * clients built with defaults in this JVM ({@code SqsClient.create()},
         * {@code Relay.create()}, a handler's {@code static final Relay RELAY = Relay.create()})
         * talk to this {@code LocalAws}, provided they are built while it runs. System properties
         * belong to the whole JVM, so only one {@code LocalAws} at a time may set them, and tests
         * that use it must not run in parallel with tests that expect real AWS.
         *
         * @param systemProperties {@code true} to set them
         * @return this builder
         */
        public Builder systemProperties(boolean systemProperties) {
            this.systemProperties = systemProperties;
            return this;
        }

        /**
         * Virtual time: the time in which nothing can happen is skipped. Whenever no invocation
         * runs and no message is visible, the clock jumps to the moment the next delayed or
         * in-flight message becomes visible, so message delays, visibility timeouts, long
         * {@code relayPass} delays (over 15 minutes), deadlines and expiries take milliseconds of
         * real time. An invocation never sees the clock jump: its remaining time and timeout pass
         * in real time. A test's own thread is not an invocation: between two of its calls, with
         * nothing else running, time may skip to the next due message. Give {@link LocalAws#clock()} to the {@code Relay} (and the janitor) under
         * test; move time by hand with {@link LocalAws#advanceTime(Duration)}. Cannot be combined
         * with {@link #clock(Clock)}. With {@link #manualDelivery(boolean)} time does not skip by
         * itself: see there. Default {@code false}.
         *
         * <p>A message sent with a delay through {@link LocalAws#sqsClient()} is held by
         * {@code LocalAws} and enters its queue when the virtual clock reaches its due time; the
         * message id {@code SendMessage} returns for it is not the id it is received with. Send
         * delayed messages through that client: one built elsewhere against
         * {@link LocalAws#sqsEndpoint()} sends them on the system clock, which is behind.
         *
         * @param virtualTime whether to skip idle time
         * @return this builder
         */
        public Builder virtualTime(boolean virtualTime) {
            this.virtualTime = virtualTime;
            return this;
        }

        /**
         * Manual delivery: event-source mappings run no pollers; a test delivers each batch itself
         * with {@link LocalAws#deliver(String)} or {@link LocalAws#deliverAll(String, int)}, on its
         * own thread, and sees what each did. Everything else is as usual: mappings are created,
         * listed, updated and deleted through the Lambda API, functions run on worker threads with
         * their timeouts, faults act. With {@linkplain #virtualTime(boolean) virtual time}, time no
         * longer skips by itself: it moves when a delivery waits for the queue's next message, and
         * by {@link LocalAws#advanceTime(Duration)}, so a test decides every step. A batching
         * window is not waited for. {@link LocalAws#awaitIdle(Duration)} is refused. Default
         * {@code false}.
         *
         * @param manualDelivery whether the test delivers
         * @return this builder
         */
        public Builder manualDelivery(boolean manualDelivery) {
            this.manualDelivery = manualDelivery;
            return this;
        }

        /**
         * Starts the embedded SQS and the Lambda endpoint.
         *
         * @return the started {@code LocalAws}; close it when done
         * @throws IllegalArgumentException when the region, account id, concurrency or mapping
         *     deletion delay is invalid
         * @throws NullPointerException when the clock is null
         * @throws UncheckedIOException when no loopback port can be bound
         * @throws IllegalStateException when {@linkplain #systemProperties(boolean) system
         *     properties} are asked for and another {@code LocalAws} has set them
         */
        public LocalAws start() {
            if (region == null || !REGION.matcher(region).matches()) {
                throw new IllegalArgumentException("region must look like us-east-1, was '" + region + "'");
            }
            if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
                throw new IllegalArgumentException("accountId must be 12 digits, was '" + accountId + "'");
            }
            if (defaultConcurrency < 1 || defaultConcurrency > 1000) {
                throw new IllegalArgumentException(
                        "defaultConcurrency must be between 1 and 1000, was " + defaultConcurrency);
            }
            Objects.requireNonNull(clock, "clock");
            if (virtualTime) {
                if (!clock.equals(Clock.systemUTC())) {
                    throw new IllegalArgumentException("virtualTime brings its own clock; do not set clock(...) too");
                }
            }
            String taken = System.getProperty("aws.endpointUrlSqs");
            if (systemProperties && taken != null) {
                throw new IllegalStateException("system property aws.endpointUrlSqs is already set (to " + taken
                        + "): another LocalAws started with systemProperties(true) is still open, or the build "
                        + "sets it; close that LocalAws or clear the property first");
            }
            if (mappingDeletionDelay == null || mappingDeletionDelay.isNegative()) {
                throw new IllegalArgumentException(
                        "mappingDeletionDelay must be zero or positive, was " + mappingDeletionDelay);
            }
            return new LocalAws(this);
        }
    }
}
