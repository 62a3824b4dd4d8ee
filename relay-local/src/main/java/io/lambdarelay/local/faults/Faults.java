package io.lambdarelay.local.faults;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The documented SQS and Lambda behaviours that break naive code, injected into SDK clients on
 * purpose, so a test can show what its code does then: failed and throttled calls, responses lost
 * after the call took effect, batch entries failed or refused, approximate counts that lag, short
 * polls that come back empty. {@code LocalAws} has one ({@code LocalAws.faults()}) in front of the
 * clients it hands out; {@link #sqs} and {@link #lambda} put one in front of any other client.
 * Every fault injected is recorded ({@link #injected()}), and every call counted
 * ({@link #calls(String)}).
 *
 * <pre>{@code
 * Faults faults = aws.faults();
 * faults.on("SendMessage").target(relayId).times(2).throttle();     // the next 2 hand-offs of one relay
 * faults.on("DeleteEventSourceMapping").times(1).loseResponse();   // takes effect, then throws
 * faults.on("SendMessageBatch").withProbability(0.1, 42).fail(SqsException.builder().statusCode(500).build());
 * ...
 * assertEquals(2, faults.injected(InjectedFault.Kind.THROTTLED).size());
 * }</pre>
 *
 * <p>A rule matches calls by operation and, optionally, by what they name (a queue URL or name, a
 * function name or mapping id, containing the given text: a relay id scopes a rule to one relay,
 * whose queues carry it in their names). It acts on the first {@code n} matching calls, every one,
 * or each with a probability from a seeded random, so a run can be repeated exactly. Thread-safe.
 */
public final class Faults {
    private final Clock clock;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Set<String> failOnceMarkers = ConcurrentHashMap.newKeySet();
    private final Set<String> refuseMarkers = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicInteger>> pointPasses = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> sentAt = new ConcurrentHashMap<>();
    private final List<InjectedFault> injected = new CopyOnWriteArrayList<>();
    private final Host host;
    private final List<Counted> twiceDeliveries = new CopyOnWriteArrayList<>();
    private volatile Duration countLag;
    private volatile boolean emptyShortPolls;

    private Faults(Clock clock, Host host) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.host = host;
    }

    /**
     * What a host of Lambda invocations ({@code LocalAws}) lets faults do to them. Tests do not
     * implement it.
     */
    public interface Host {
        /** {@return whether the calling thread runs for an invocation} */
        boolean inInvocation();

        /** Stops the calling thread's invocation: none of its AWS calls reach a service from now on. */
        void killCurrentInvocation();

        /**
         * Deletes the event-source mapping that delivered the calling thread's invocation, as
         * {@code DeleteEventSourceMapping} would; the invocation goes on.
         *
         * @return the mapping's uuid, or null when the invocation was not delivered by a mapping,
         *     or its mapping is already deleted
         */
        String deleteCurrentMapping();
    }

    /** Thrown into a killed invocation's code at the call where it died. An {@code Error}: a handler does not catch it. */
    public static final class InvocationKilled extends Error {
        private static final long serialVersionUID = 1L;

        InvocationKilled(String where) {
            super("invocation killed " + where + " (injected): Lambda runs none of its code after this");
        }
    }

    /** A fault that acts on a number of matching events. */
    private static final class Counted {
        final String target;
        int left;

        Counted(String target, int times) {
            this.target = target;
            this.left = times;
        }

        synchronized boolean take(String name) {
            if (left <= 0 || !name.contains(target)) {
                return false;
            }
            left--;
            return true;
        }
    }

    /**
     * Creates faults with nothing injected yet.
     *
     * @param clock the clock of the log and of lagging counts: the code under test's, so a test
     *     that moves it moves the lag too
     * @return the faults
     */
    public static Faults create(Clock clock) {
        return new Faults(clock, null);
    }

    /**
     * Creates faults for a host of invocations, which can also deliver twice and kill
     * invocations. {@code LocalAws} makes its own this way.
     *
     * @param clock the clock of the log and of lagging counts
     * @param host the invocations' host
     * @return the faults
     */
    public static Faults create(Clock clock, Host host) {
        return new Faults(clock, Objects.requireNonNull(host, "host"));
    }

    /**
     * Delivers the next {@code times} batches received from a queue whose name contains
     * {@code queueNameContains} (a relay id scopes it to one relay) to two invocations at once, as
     * SQS may deliver a message twice, also to two consumers at the same time. Only on a host of
     * invocations ({@code LocalAws.faults()}).
     *
     * @param queueNameContains text in the queue's name
     * @param times 1 or more
     * @return these faults
     */
    public Faults deliverTwice(String queueNameContains, int times) {
        requireHost("deliverTwice");
        if (times < 1) {
            throw new IllegalArgumentException("times must be 1 or more, got " + times);
        }
        twiceDeliveries.add(new Counted(Objects.requireNonNull(queueNameContains, "queueNameContains"), times));
        return this;
    }

    /**
     * Whether this batch from this queue is to be delivered twice; counts it. The host asks before
     * each delivery; tests need not call it.
     *
     * @param queueName the queue the batch came from
     * @return whether to deliver it to two invocations at once
     */
    public boolean takeTwiceDelivery(String queueName) {
        for (Counted c : twiceDeliveries) {
            if (c.take(queueName)) {
                record("Deliver", queueName, InjectedFault.Kind.DELIVERED_TWICE, "one batch to two invocations at once");
                return true;
            }
        }
        return false;
    }

    private void requireHost(String what) {
        if (host == null) {
            throw new IllegalStateException(what + " acts on invocations: use LocalAws.faults(), not Faults.create");
        }
    }

    /**
     * A fault point: code under test passes here, and rules {@linkplain #on started} with the
     * point's name act on it as on a call: {@link Rule#killInvocationBefore()} kills the invocation
     * here, {@link Rule#outOfMemory()} kills it as out of memory, {@link Rule#hang()} blocks it
     * until it is interrupted (a relay's deadline hand-off) or times out, {@link Rule#fail} throws,
     * {@link Rule#deleteMapping()} deletes the mapping that delivered the invocation and lets it go on.
     * A relay test passes one before each unit, from the relay's {@code beforeUnit} listener:
     * <pre>{@code
     * Relay relay = Relay.builder()...beforeUnit(pkt -> aws.faults().point("Unit", pkt.relayId() + " " + pkt.getLong("next", 0)))
     * aws.faults().on("Unit").after(3).times(1).killInvocationBefore();   // dies after its third unit
     * }</pre>
     * Every pass is counted by target ({@link #passes(String)}), so a test sees which units ran
     * more than once.
     *
     * @param name the point's name, e.g. {@code "Unit"}
     * @param target what passes: a rule's {@link Rule#target} text is looked for in it
     * @throws InvocationKilled when a rule kills the invocation here
     * @throws RuntimeException what a {@link Rule#fail} rule throws, or when a {@link Rule#hang()}
     *     is interrupted
     */
    public void point(String name, String target) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        pointPasses.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(target, k -> new AtomicInteger()).incrementAndGet();
        boolean invocation = host != null && host.inInvocation();
        for (Rule rule : rules) {
            Rule.Action action = rule.fires(name, target, invocation);
            if (action == null) {
                continue;
            }
            switch (action) {
                case DELETE_MAPPING -> deleteMapping(name, target);
                case KILL_BEFORE, KILL_AFTER, OUT_OF_MEMORY, HANG, FAIL ->
                        actHere(rule, action == Rule.Action.KILL_AFTER ? Rule.Action.KILL_BEFORE : action, name, target,
                                "point " + name, false);
                default -> throw new IllegalStateException("a " + action + " rule acts on AWS calls; point " + name
                        + " is not one: use killInvocationBefore, outOfMemory, hang or fail");
            }
        }
    }

    /** Does what a rule says at a call or point, before it takes effect: always throws. */
    private void actHere(Rule rule, Rule.Action action, String name, String target, String where, boolean sqs) {
        switch (action) {
            case KILL_BEFORE -> {
                record(name, target, InjectedFault.Kind.INVOCATION_KILLED, "at " + where + ", before it took effect");
                host.killCurrentInvocation();
                throw new InvocationKilled("at " + where + ", before it took effect");
            }
            case OUT_OF_MEMORY -> {
                record(name, target, InjectedFault.Kind.OUT_OF_MEMORY, "the runtime ran out of memory at " + where);
                host.killCurrentInvocation();
                throw new InvocationKilled("out of memory at " + where);
            }
            case HANG -> throw hangUntilInterrupted(name, target);
            case FAIL -> {
                record(name, target, InjectedFault.Kind.FAILED, rule.error.toString());
                throw rule.error;
            }
            default -> {
                RuntimeException e = sqs ? sqsThrottling() : lambdaThrottling();
                record(name, target, InjectedFault.Kind.THROTTLED, e.toString());
                throw e;
            }
        }
    }

    /** Deletes the mapping of the calling invocation, records it, and lets the invocation go on. */
    private void deleteMapping(String name, String target) {
        String uuid = host.deleteCurrentMapping();
        if (uuid != null) {
            record(name, target, InjectedFault.Kind.MAPPING_DELETED, "event-source mapping " + uuid
                    + " deleted under its running invocation");
        }
    }

    /** Blocks until the thread is interrupted; returns what to throw then. */
    private IllegalStateException hangUntilInterrupted(String name, String target) {
        record(name, target, InjectedFault.Kind.HUNG, "blocked until interrupted or timed out");
        try {
            new java.util.concurrent.CountDownLatch(1).await();
            throw new AssertionError("a latch nobody counts down was released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("the hang injected at " + name + " was interrupted", e);
        }
    }

    /**
     * How often each target passed a {@linkplain #point fault point}, in no particular order.
     *
     * @param name the point's name
     * @return passes by target; a count over 1 is a repeat
     */
    public Map<String, Integer> passes(String name) {
        Map<String, AtomicInteger> byTarget = pointPasses.get(name);
        Map<String, Integer> copy = new HashMap<>();
        if (byTarget != null) {
            byTarget.forEach((t, n) -> copy.put(t, n.get()));
        }
        return copy;
    }

    /**
     * Starts a rule for calls of these operations, e.g. {@code "SendMessage"},
     * {@code "SendMessageBatch"}, {@code "DeleteQueue"}, {@code "CreateEventSourceMapping"}.
     *
     * @param operations one or more API operation names
     * @return the rule, to scope and then to act
     */
    public Rule on(String... operations) {
        if (operations.length == 0) {
            throw new IllegalArgumentException("name at least one operation, e.g. \"SendMessage\"");
        }
        return new Rule(Set.of(operations));
    }

    /**
     * Makes the approximate counts of {@code GetQueueAttributes} leave out messages sent through
     * these faults less than {@code lag} ago, as SQS's counts may lag by up to a minute. {@code null}
     * ends it.
     *
     * @param lag how long a sent message stays uncounted
     * @return these faults
     */
    public Faults lagCounts(Duration lag) {
        this.countLag = lag;
        return this;
    }

    /**
     * Makes every {@code ReceiveMessage} without a wait time (a short poll) return no message, as
     * a short poll that samples SQS servers without the messages would.
     *
     * @param on whether short polls come back empty
     * @return these faults
     */
    public Faults emptyShortPolls(boolean on) {
        this.emptyShortPolls = on;
        return this;
    }

    /**
     * Makes the next {@code SendMessageBatch} entry whose body contains {@code marker} fail on the
     * service's side (a retry may succeed).
     *
     * @param marker text in the body
     * @return these faults
     */
    public Faults failEntryOnce(String marker) {
        failOnceMarkers.add(Objects.requireNonNull(marker, "marker"));
        return this;
    }

    /**
     * Makes every {@code SendMessageBatch} entry whose body contains {@code marker} be refused as
     * the sender's fault.
     *
     * @param marker text in the body
     * @return these faults
     */
    public Faults refuseEntries(String marker) {
        refuseMarkers.add(Objects.requireNonNull(marker, "marker"));
        return this;
    }

    /** Ends every rule and behaviour; what was recorded stays. */
    public void clear() {
        rules.clear();
        twiceDeliveries.clear();
        failOnceMarkers.clear();
        refuseMarkers.clear();
        countLag = null;
        emptyShortPolls = false;
    }

    /** {@return every fault injected so far, in order} */
    public List<InjectedFault> injected() {
        return List.copyOf(injected);
    }

    /**
     * The faults of one kind injected so far, in order.
     *
     * @param kind the kind
     * @return the faults
     */
    public List<InjectedFault> injected(InjectedFault.Kind kind) {
        return injected.stream().filter(f -> f.kind() == kind).toList();
    }

    /**
     * How many calls of an operation went through these faults, injected or not.
     *
     * @param operation e.g. {@code "SendMessageBatch"}
     * @return the count
     */
    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    /**
     * Puts these faults in front of an SQS client.
     *
     * @param real the client calls go to
     * @return a client to give the code under test; closing it does not close {@code real}
     */
    public SqsClient sqs(SqsClient real) {
        return proxy(SqsClient.class, real, true);
    }

    /**
     * Puts these faults in front of a Lambda client.
     *
     * @param real the client calls go to
     * @return a client to give the code under test; closing it does not close {@code real}
     */
    public LambdaClient lambda(LambdaClient real) {
        return proxy(LambdaClient.class, real, false);
    }

    private <T> T proxy(Class<T> type, T real, boolean sqs) {
        Objects.requireNonNull(real, "real");
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls back here
            }
            if ("close".equals(method.getName())) {
                return null;
            }
            if ("serviceName".equals(method.getName()) || "serviceClientConfiguration".equals(method.getName())) {
                return invoke(method, real, args);
            }
            return call(method, real, args, sqs);
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    private Object call(Method method, Object real, Object[] args, boolean sqs) throws Throwable {
        String operation = Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
        calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        Object request = args == null || args.length == 0 ? null : args[0];
        String target = target(request);
        boolean loseResponse = false;
        boolean killAfter = false;
        boolean invocation = host != null && host.inInvocation();
        for (Rule rule : rules) {
            Rule.Action action = rule.fires(operation, target, invocation);
            if (action == null) {
                continue;
            }
            switch (action) {
                case DELETE_MAPPING -> deleteMapping(operation, target);
                case KILL_AFTER -> killAfter = true;
                case LOSE_RESPONSE -> loseResponse = true;
                default -> actHere(rule, action, operation, target, operation, sqs);
            }
        }
        Object result;
        if (sqs && request instanceof SendMessageBatchRequest batch) {
            result = sendBatch((SqsClient) real, batch);
        } else if (sqs && request instanceof ReceiveMessageRequest receive && shortPollEmptied(receive)) {
            record(operation, target, InjectedFault.Kind.SHORT_POLL_EMPTY, "no messages returned");
            result = ReceiveMessageResponse.builder().messages(List.of()).build();
        } else {
            result = invoke(method, real, args);
            if (sqs && request instanceof SendMessageRequest send) {
                sent(send.queueUrl(), 1);
            } else if (sqs && request instanceof GetQueueAttributesRequest attrs) {
                result = lagged(attrs, (GetQueueAttributesResponse) result);
            }
        }
        if (killAfter) {
            record(operation, target, InjectedFault.Kind.INVOCATION_KILLED, "after the call took effect");
            host.killCurrentInvocation();
            throw new InvocationKilled("after " + operation + " took effect");
        }
        if (loseResponse) {
            record(operation, target, InjectedFault.Kind.RESPONSE_LOST, "took effect, response lost");
            throw SdkClientException.create("injected: the response of " + operation + " was lost after it took "
                    + "effect");
        }
        return result;
    }

    private static Object invoke(Method method, Object real, Object[] args) throws Throwable {
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** What a request names: its queue URL or name, function name or mapping id. */
    private static String target(Object request) {
        if (request == null) {
            return "";
        }
        for (String accessor : List.of("queueUrl", "queueName", "functionName", "uuid", "resource")) {
            try {
                Object v = request.getClass().getMethod(accessor).invoke(request);
                if (v instanceof String s) {
                    return s;
                }
            } catch (ReflectiveOperationException e) {
                // not this kind of request
            }
        }
        return "";
    }

    private void record(String operation, String target, InjectedFault.Kind kind, String detail) {
        injected.add(new InjectedFault(clock.instant(), operation, target, kind, detail));
    }

    private static RuntimeException sqsThrottling() {
        return SqsException.builder().statusCode(400).message("Rate exceeded (injected)")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                        .errorMessage("Rate exceeded (injected)").serviceName("Sqs").build())
                .build();
    }

    private static RuntimeException lambdaThrottling() {
        return TooManyRequestsException.builder().statusCode(429).message("Rate exceeded (injected)")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("TooManyRequestsException")
                        .errorMessage("Rate exceeded (injected)").serviceName("Lambda").build())
                .build();
    }

    private SendMessageBatchResponse sendBatch(SqsClient real, SendMessageBatchRequest request) {
        List<SendMessageBatchRequestEntry> pass = new ArrayList<>();
        List<BatchResultErrorEntry> failed = new ArrayList<>();
        int failedHere = 0;
        int refusedHere = 0;
        for (SendMessageBatchRequestEntry entry : request.entries()) {
            String hit = failOnceMarkers.stream().filter(m -> entry.messageBody().contains(m)).findFirst().orElse(null);
            if (hit != null && failOnceMarkers.remove(hit)) {
                failed.add(BatchResultErrorEntry.builder().id(entry.id()).senderFault(false).code("InternalError")
                        .message("injected").build());
                failedHere++;
            } else if (refuseMarkers.stream().anyMatch(m -> entry.messageBody().contains(m))) {
                failed.add(BatchResultErrorEntry.builder().id(entry.id()).senderFault(true)
                        .code("InvalidParameterValue").message("injected").build());
                refusedHere++;
            } else {
                pass.add(entry);
            }
        }
        if (failedHere > 0) {
            record("SendMessageBatch", request.queueUrl(), InjectedFault.Kind.ENTRIES_FAILED, failedHere + " entries");
        }
        if (refusedHere > 0) {
            record("SendMessageBatch", request.queueUrl(), InjectedFault.Kind.ENTRIES_REFUSED,
                    refusedHere + " entries");
        }
        SendMessageBatchResponse sent = pass.isEmpty() ? SendMessageBatchResponse.builder().build()
                : real.sendMessageBatch(request.toBuilder().entries(pass).build());
        sent(request.queueUrl(), sent.successful().size());
        List<BatchResultErrorEntry> allFailed = new ArrayList<>(sent.failed());
        allFailed.addAll(failed);
        return sent.toBuilder().failed(allFailed).build();
    }

    private boolean shortPollEmptied(ReceiveMessageRequest request) {
        return emptyShortPolls && (request.waitTimeSeconds() == null || request.waitTimeSeconds() == 0);
    }

    private void sent(String queueUrl, int n) {
        if (countLag == null || n == 0) {
            return;
        }
        List<Long> times = sentAt.computeIfAbsent(queueUrl, k -> new CopyOnWriteArrayList<>());
        long now = clock.millis();
        for (int i = 0; i < n; i++) {
            times.add(now);
        }
    }

    private GetQueueAttributesResponse lagged(GetQueueAttributesRequest request, GetQueueAttributesResponse response) {
        Duration lag = countLag;
        List<Long> times = sentAt.get(request.queueUrl());
        String visible = response.attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        if (lag == null || times == null || visible == null) {
            return response;
        }
        long now = clock.millis();
        long recent = times.stream().filter(t -> now - t < lag.toMillis()).count();
        if (recent == 0) {
            return response;
        }
        Map<QueueAttributeName, String> attrs = new HashMap<>(response.attributes());
        attrs.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                Long.toString(Math.max(0, Long.parseLong(visible) - recent)));
        record("GetQueueAttributes", request.queueUrl(), InjectedFault.Kind.COUNTS_LAGGED,
                recent + " recent message(s) left out");
        return response.toBuilder().attributes(attrs).build();
    }

    /**
     * Which calls a fault acts on, and how often. Build it with {@link #target}, then
     * {@link #times}, {@link #always}, {@link #withProbability} or {@link #after}, and end it with
     * what to do: {@link #fail}, {@link #throttle}, {@link #loseResponse}, or on
     * {@code LocalAws.faults()} {@link #killInvocationBefore}, {@link #killInvocationAfter},
     * {@link #outOfMemory}, {@link #hang} or {@link #deleteMapping}, which returns a handle to end
     * the rule. Not thread-safe while being built; thread-safe once acting.
     */
    public final class Rule {
        private enum Action { FAIL, THROTTLE, LOSE_RESPONSE, KILL_BEFORE, KILL_AFTER, OUT_OF_MEMORY, HANG, DELETE_MAPPING }

        private final Set<String> operations;
        private String target;
        private int skip;
        private int times = -1;
        private double probability = 1;
        private SplittableRandom random;
        private Action action;
        private RuntimeException error;
        private int fired;
        private int seen;
        private volatile boolean stopped;

        private Rule(Set<String> operations) {
            this.operations = operations;
        }

        /**
         * Acts only on calls that name something containing this text: a queue URL or name, a
         * relay id (its queues carry it), a function name or mapping id.
         *
         * @param contains the text
         * @return this rule
         */
        public Rule target(String contains) {
            this.target = Objects.requireNonNull(contains, "contains");
            return this;
        }

        /**
         * Leaves the first {@code calls} matching calls alone.
         *
         * @param calls 0 or more
         * @return this rule
         */
        public Rule after(int calls) {
            if (calls < 0) {
                throw new IllegalArgumentException("after must be 0 or more, got " + calls);
            }
            this.skip = calls;
            return this;
        }

        /**
         * Acts on the next {@code n} matching calls, then no more.
         *
         * @param n 1 or more
         * @return this rule
         */
        public Rule times(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("times must be 1 or more, got " + n);
            }
            this.times = n;
            return this;
        }

        /**
         * Acts on every matching call until {@link Injection#stop()} (the default).
         *
         * @return this rule
         */
        public Rule always() {
            this.times = -1;
            return this;
        }

        /**
         * Acts on each matching call with this probability, drawn from a random of this seed, so a
         * run repeats exactly.
         *
         * @param p 0 to 1
         * @param seed the random's seed
         * @return this rule
         */
        public Rule withProbability(double p, long seed) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability must be 0 to 1, got " + p);
            }
            this.probability = p;
            this.random = new SplittableRandom(seed);
            return this;
        }

        /**
         * Makes the calls throw this exception, without effect.
         *
         * @param error what the code under test sees, e.g. an {@code SqsException} with status 500
         * @return a handle to end the rule
         */
        public Injection fail(RuntimeException error) {
            this.error = Objects.requireNonNull(error, "error");
            return start(Action.FAIL);
        }

        /**
         * Makes the calls throw the service's throttling error ({@code ThrottlingException} for
         * SQS, {@code TooManyRequestsException} with status 429 for Lambda), without effect.
         *
         * @return a handle to end the rule
         */
        public Injection throttle() {
            return start(Action.THROTTLE);
        }

        /**
         * Lets the calls take effect, then throw an {@code SdkClientException}, as when a response
         * is lost on the way back.
         *
         * @return a handle to end the rule
         */
        public Injection loseResponse() {
            return start(Action.LOSE_RESPONSE);
        }

        /**
         * Kills the invocation that makes the call, at the call: it does not take effect, and none
         * of the invocation's code runs after it (an {@link InvocationKilled} error is thrown into
         * it, and its later AWS calls never reach a service), as when Lambda stops an invocation
         * at its timeout or out of memory. SQS delivers its batch again after the visibility
         * timeout. Only calls made by invocations count; only on {@code LocalAws.faults()}.
         *
         * @return a handle to end the rule
         */
        public Injection killInvocationBefore() {
            requireHost("killInvocationBefore");
            return start(Action.KILL_BEFORE);
        }

        /**
         * Kills the invocation that makes the call, right after the call took effect: a
         * hand-off sent, say, and the invocation dead before it returned, so SQS delivers its
         * batch again too. Only calls made by invocations count; only on {@code LocalAws.faults()}.
         *
         * @return a handle to end the rule
         */
        public Injection killInvocationAfter() {
            requireHost("killInvocationAfter");
            return start(Action.KILL_AFTER);
        }

        /**
         * Kills the invocation at this call or {@linkplain Faults#point point} as Lambda does when
         * the function runs out of memory: the runtime dies there, none of the invocation's code
         * runs after it, and SQS delivers its batch again after the visibility timeout. Recorded
         * as {@link InjectedFault.Kind#OUT_OF_MEMORY}. Only invocations count; only on
         * {@code LocalAws.faults()}.
         *
         * @return a handle to end the rule
         */
        public Injection outOfMemory() {
            requireHost("outOfMemory");
            return start(Action.OUT_OF_MEMORY);
        }

        /**
         * Blocks the invocation at this {@linkplain Faults#point point} until its thread is
         * interrupted (by a relay's deadline hand-off, or by Lambda's timeout), as a unit stuck on
         * a call that never answers; then throws an {@code IllegalStateException}. An invocation
         * nothing interrupts runs into its timeout. Only invocations count; only on
         * {@code LocalAws.faults()}.
         *
         * @return a handle to end the rule
         */
        public Injection hang() {
            requireHost("hang");
            return start(Action.HANG);
        }

        /**
         * Deletes the event-source mapping that delivered the invocation making this call or
         * passing this {@linkplain Faults#point point}, as an operator, a clean-up script or a
         * stack update might while a relay runs; the invocation itself goes on, and so does the
         * call. What it then passes on stays in the queue with nobody to deliver it. Recorded as
         * {@link InjectedFault.Kind#MAPPING_DELETED} (not when the mapping was already deleted).
         * Only invocations delivered by a mapping count; only on {@code LocalAws.faults()}.
         * <pre>{@code
         * aws.faults().on("Unit").after(3).times(1).deleteMapping();   // during the fourth unit
         * }</pre>
         *
         * @return a handle to end the rule
         */
        public Injection deleteMapping() {
            requireHost("deleteMapping");
            return start(Action.DELETE_MAPPING);
        }

        private Injection start(Action a) {
            if (action != null) {
                throw new IllegalStateException("this rule already acts; start another with on(...)");
            }
            this.action = a;
            rules.add(this);
            return () -> {
                stopped = true;
                rules.remove(this);
            };
        }

        /** The action if this call is one to act on; counts it. */
        private synchronized Action fires(String operation, String callTarget, boolean fromInvocation) {
            if (stopped || !operations.contains(operation) || (target != null && !callTarget.contains(target))) {
                return null;
            }
            if ((action == Action.KILL_BEFORE || action == Action.KILL_AFTER || action == Action.OUT_OF_MEMORY
                    || action == Action.HANG || action == Action.DELETE_MAPPING) && !fromInvocation) {
                return null;
            }
            if (seen++ < skip) {
                return null;
            }
            if (times >= 0 && fired >= times) {
                return null;
            }
            if (random != null && random.nextDouble() >= probability) {
                return null;
            }
            fired++;
            return action;
        }
    }

    /** A rule that acts. */
    @FunctionalInterface
    public interface Injection {
        /** Ends the rule: later calls go through untouched. */
        void stop();
    }
}
