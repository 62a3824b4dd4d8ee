package io.lambdarelay;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options for {@link Relay#setup(com.amazonaws.services.lambda.runtime.Context, String, RelaySetup)}.
 * Immutable and thread-safe; build one with {@link #builder()}. {@link #defaults()} gives batch size
 * 1, {@code maxReceiveCount} 5, a visibility timeout of six times the worker's timeout, no
 * concurrency cap or rate limit, a one-day expiry (tag and deadline), at most 100,000 hops and 10
 * idle hops, no tolerated failed parts, and the worker's recursion config set to {@code Allow}.
 */
public final class RelaySetup {
    /** Suffix of the dead-letter queue's name. */
    public static final String DLQ_SUFFIX = "-dlq";
    /** Longest queue name SQS accepts. */
    public static final int MAX_QUEUE_NAME = 80;
    /** The largest {@code maxReceiveCount} SQS's redrive policy accepts. */
    public static final int MAX_RECEIVE_COUNT = 1000;
    /**
     * Receives the relay queue's redrive policy allows beyond {@code maxReceiveCount}. The worker
     * dead-letters a packet itself, after its last attempt or when it arrives after a last attempt
     * that died, and then ends the relay or counts the part; the queue's own policy, which moves a
     * packet without any worker seeing it, only catches receives that never reached a worker
     * (Lambda returns messages to the queue when it throttles the function).
     */
    public static final int REDRIVE_BACKSTOP = 5;

    static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+@-]{1,128}");
    private static final long MAX_VISIBILITY_SECONDS = 43_200;
    private static final RelaySetup DEFAULTS = builder().build();

    private final String queueName;
    private final int batchSize;
    private final Integer maximumConcurrency;
    private final Duration maximumBatchingWindow;
    private final int maxReceiveCount;
    private final Duration visibilityTimeout;
    private final Duration messageRetention;
    private final Duration expiresAfter;
    private final boolean manageRecursion;
    private final Map<String, String> tags;
    private final long maxHops;
    private final int maxIdleHops;
    private final Double rateLimit;
    private final boolean adaptiveRate;
    private final int toleratedFailures;
    private final boolean denyInsecureTransport;
    private final boolean parkWhenDeadLettered;
    private final boolean pooled;
    private final String poolQueueName;
    private final boolean createPool;

    private RelaySetup(Builder b) {
        this.queueName = b.queueName;
        this.batchSize = b.batchSize;
        this.maximumConcurrency = b.maximumConcurrency;
        this.maximumBatchingWindow = b.maximumBatchingWindow;
        this.maxReceiveCount = b.maxReceiveCount;
        this.visibilityTimeout = b.visibilityTimeout;
        this.messageRetention = b.messageRetention;
        this.expiresAfter = b.expiresAfter;
        this.manageRecursion = b.manageRecursion;
        this.tags = Collections.unmodifiableMap(new LinkedHashMap<>(b.tags));
        this.maxHops = b.maxHops;
        this.maxIdleHops = b.maxIdleHops;
        this.rateLimit = b.rateLimit;
        this.adaptiveRate = b.adaptiveRate;
        this.toleratedFailures = b.toleratedFailures;
        this.denyInsecureTransport = b.denyInsecureTransport;
        this.parkWhenDeadLettered = b.parkWhenDeadLettered;
        this.pooled = b.pooled;
        this.poolQueueName = b.poolQueueName;
        this.createPool = b.createPool;
    }

    /** {@return the default options} */
    public static RelaySetup defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder with the default options.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder holding these options} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.queueName = queueName;
        b.batchSize = batchSize;
        b.maximumConcurrency = maximumConcurrency;
        b.maximumBatchingWindow = maximumBatchingWindow;
        b.maxReceiveCount = maxReceiveCount;
        b.visibilityTimeout = visibilityTimeout;
        b.messageRetention = messageRetention;
        b.expiresAfter = expiresAfter;
        b.manageRecursion = manageRecursion;
        b.tags.putAll(tags);
        b.maxHops = maxHops;
        b.maxIdleHops = maxIdleHops;
        b.rateLimit = rateLimit;
        b.adaptiveRate = adaptiveRate;
        b.toleratedFailures = toleratedFailures;
        b.denyInsecureTransport = denyInsecureTransport;
        b.parkWhenDeadLettered = parkWhenDeadLettered;
        b.pooled = pooled;
        b.poolQueueName = poolQueueName;
        b.createPool = createPool;
        return b;
    }

    /**
     * Tells whether the relay runs in its worker's pool: a long-lived queue, dead-letter queue and
     * mapping that many relays of the worker share, so that starting one makes no Lambda
     * control-plane call (see {@link Builder#pooled(boolean)}).
     *
     * @return {@code true} in pooled mode, {@code false} for a queue and mapping of its own
     */
    public boolean pooled() {
        return pooled;
    }

    /**
     * The pool's queue name in pooled mode: the one chosen, or {@link #defaultPoolQueueName(String)}
     * of the worker.
     *
     * @return the name chosen, or {@code null} for the default
     */
    public String poolQueueName() {
        return poolQueueName;
    }

    /** {@return whether setup creates the pool's queues and mapping when they do not exist yet} */
    public boolean createPool() {
        return createPool;
    }

    /**
     * The pool queue's name for a worker unless {@link Builder#poolQueueName(String)} chose another:
     * {@code lambda-relay-pool-} and the function's name (characters other than letters, digits,
     * '-' and '_' made '-', cut to fit). Its dead-letter queue has {@value #DLQ_SUFFIX} appended.
     *
     * @param functionName the worker's function name, without a version or alias
     * @return the queue name
     */
    public static String defaultPoolQueueName(String functionName) {
        String fn = functionName.replaceAll("[^A-Za-z0-9_-]", "-");
        String prefix = "lambda-relay-pool-";
        int room = MAX_QUEUE_NAME - DLQ_SUFFIX.length() - prefix.length();
        return prefix + (fn.length() > room ? fn.substring(0, room) : fn);
    }

    /**
     * Tells whether both queues get a policy that denies any request not made over TLS.
     *
     * @return {@code true} if the policy is set
     */
    public boolean denyInsecureTransport() {
        return denyInsecureTransport;
    }

    /** {@return the most hand-offs a chain (or each part) may make before a worker ends the relay} */
    public long maxHops() {
        return maxHops;
    }

    /** {@return how many hops in a row may complete no unit before a worker ends the relay} */
    public int maxIdleHops() {
        return maxIdleHops;
    }

    /** {@return the relay-wide rate limit shared by all parts} */
    public Double rateLimit() {
        return rateLimit;
    }

    /** {@return whether the rate limit is only where to start, the real limit being found from throttles} */
    public boolean adaptiveRate() {
        return adaptiveRate;
    }

    /**
     * {@return whether a relay parks instead of ending when a chain's packet, or more parts than
     * tolerated, end in the dead-letter queue}
     */
    public boolean parkWhenDeadLettered() {
        return parkWhenDeadLettered;
    }

    /** {@return how many parts of a fan-out may fail before the relay counts as failed} */
    public int toleratedFailures() {
        return toleratedFailures;
    }

    /** {@return the relay queue's name chosen by the caller} */
    public String queueName() {
        return queueName;
    }

    /** {@return the event-source mapping's batch size} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return the mapping's maximum concurrency} */
    public Integer maximumConcurrency() {
        return maximumConcurrency;
    }

    /** {@return the mapping's batching window} */
    public Duration maximumBatchingWindow() {
        return maximumBatchingWindow;
    }

    /** {@return how often a message is received before SQS moves it to the dead-letter queue} */
    public int maxReceiveCount() {
        return maxReceiveCount;
    }

    /** {@return the relay queue's visibility timeout chosen by the caller} */
    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    /** {@return how long SQS keeps an unreceived packet} */
    public Duration messageRetention() {
        return messageRetention;
    }

    /** {@return how long after setup the relay counts as expired for clean-up tools} */
    public Duration expiresAfter() {
        return expiresAfter;
    }

    /**
     * Tells whether setup sets the worker's recursion config to {@code Allow}.
     *
     * @return {@code true} unless the caller opted out
     */
    public boolean manageRecursion() {
        return manageRecursion;
    }

    /** {@return extra tags put on both queues} */
    public Map<String, String> tags() {
        return tags;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RelaySetup)) {
            return false;
        }
        RelaySetup r = (RelaySetup) o;
        return batchSize == r.batchSize && maxReceiveCount == r.maxReceiveCount && manageRecursion == r.manageRecursion
                && Objects.equals(queueName, r.queueName) && Objects.equals(maximumConcurrency, r.maximumConcurrency)
                && Objects.equals(maximumBatchingWindow, r.maximumBatchingWindow)
                && Objects.equals(visibilityTimeout, r.visibilityTimeout)
                && messageRetention.equals(r.messageRetention) && expiresAfter.equals(r.expiresAfter)
                && tags.equals(r.tags) && maxHops == r.maxHops && maxIdleHops == r.maxIdleHops
                && Objects.equals(rateLimit, r.rateLimit) && adaptiveRate == r.adaptiveRate
                && toleratedFailures == r.toleratedFailures
                && denyInsecureTransport == r.denyInsecureTransport && parkWhenDeadLettered == r.parkWhenDeadLettered
                && pooled == r.pooled && Objects.equals(poolQueueName, r.poolQueueName) && createPool == r.createPool;
    }

    @Override
    public int hashCode() {
        return Objects.hash(queueName, batchSize, maximumConcurrency, maximumBatchingWindow, maxReceiveCount,
                visibilityTimeout, messageRetention, expiresAfter, manageRecursion, tags, maxHops, maxIdleHops, rateLimit,
                adaptiveRate, toleratedFailures, denyInsecureTransport, parkWhenDeadLettered, pooled, poolQueueName,
                createPool);
    }

    @Override
    public String toString() {
        return "RelaySetup{queueName=" + queueName + ", batchSize=" + batchSize + ", maximumConcurrency="
                + maximumConcurrency + ", maximumBatchingWindow=" + maximumBatchingWindow + ", maxReceiveCount="
                + maxReceiveCount + ", visibilityTimeout=" + visibilityTimeout + ", messageRetention="
                + messageRetention + ", expiresAfter=" + expiresAfter + ", manageRecursion=" + manageRecursion
                + ", tags=" + tags.keySet() + ", maxHops=" + maxHops + ", maxIdleHops=" + maxIdleHops + ", rateLimit="
                + rateLimit + ", adaptiveRate=" + adaptiveRate + ", toleratedFailures=" + toleratedFailures + ", denyInsecureTransport="
                + denyInsecureTransport + ", parkWhenDeadLettered=" + parkWhenDeadLettered + ", pooled=" + pooled
                + ", poolQueueName=" + poolQueueName + ", createPool=" + createPool + "}";
    }

    /**
     * Refuses a name SQS would refuse, or one that leaves no room for the dead-letter queue's
     * suffix, and a FIFO queue's name: FIFO queues refuse per-message delays, and would deliver each
     * message group (a pooled relay's packets) one at a time.
     */
    private static void validateQueueName(String field, String name) {
        if (name.endsWith(".fifo")) {
            throw new IllegalArgumentException(field + " '" + name + "' names a FIFO queue; relays use standard "
                    + "queues because FIFO queues refuse per-message delays (drop the .fifo suffix)");
        }
        int maxLength = MAX_QUEUE_NAME - DLQ_SUFFIX.length();
        if (name.isEmpty() || name.length() > maxLength || !QUEUE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be 1 to " + maxLength
                    + " characters of A-Z, a-z, 0-9, '-' and '_', got '" + name + "' (" + name.length() + " characters)");
        }
    }

    /** Builds {@link RelaySetup}; validation happens in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private String queueName;
        private int batchSize = 1;
        private Integer maximumConcurrency;
        private Duration maximumBatchingWindow;
        private int maxReceiveCount = 5;
        private Duration visibilityTimeout;
        private Duration messageRetention = Duration.ofDays(4);
        private Duration expiresAfter = Duration.ofDays(1);
        private boolean manageRecursion = true;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private long maxHops = 100_000;
        private int maxIdleHops = 10;
        private Double rateLimit;
        private boolean adaptiveRate;
        private int toleratedFailures;
        private boolean denyInsecureTransport;
        private boolean parkWhenDeadLettered = true;
        private boolean pooled;
        private String poolQueueName;
        private boolean createPool = true;

        private Builder() {
        }

        /**
         * Runs the relay in its worker's pool instead of on a queue and mapping of its own. A pool is
         * a long-lived queue, dead-letter queue and event-source mapping per worker function, shared
         * by all its pooled relays; a relay lives in its packets (and in the ledger). Starting one is
         * a single {@code SendMessage} ({@code SendMessageBatch} for a fan-out), with no Lambda
         * control-plane call, and {@code tearDown} only records its end. Use it for many relays
         * (one per request, say); a queue of its own suits a few long jobs. In the pool, pausing,
         * parking and cancelling act on one relay through the ledger, and a fan-out needs a ledger.
         * The pool's own settings (visibility timeout, batch size, concurrency) are the queue's and
         * mapping's: this relay's options for them apply only when setup creates the pool. Default:
         * {@code false}.
         *
         * @param pooled {@code true} for pooled mode
         * @return this builder
         */
        public Builder pooled(boolean pooled) {
            this.pooled = pooled;
            return this;
        }

        /**
         * Names the pool's queue (pooled mode only); its dead-letter queue has {@code -dlq}
         * appended. Default: {@link RelaySetup#defaultPoolQueueName(String)} of the worker.
         *
         * @param queueName 1 to 76 characters of A-Z, a-z, 0-9, '-' and '_'
         * @return this builder
         */
        public Builder poolQueueName(String queueName) {
            this.poolQueueName = queueName;
            return this;
        }

        /**
         * Whether setup creates the pool's queues and mapping when they do not exist (pooled mode
         * only; once per pool, with the calls and permissions of a per-relay setup). Turn it off
         * when a template creates the pool, so a missing pool is an error instead. Default:
         * {@code true}.
         *
         * @param create whether to create a missing pool
         * @return this builder
         */
        public Builder createPool(boolean create) {
            this.createPool = create;
            return this;
        }

        /**
         * Names the relay queue; the dead-letter queue is named with {@code -dlq} appended. Default:
         * a unique name from the function name and the relay id. The name must not exist yet.
         *
         * @param queueName 1 to 76 characters of A-Z, a-z, 0-9, '-' and '_'
         * @return this builder
         */
        public Builder queueName(String queueName) {
            this.queueName = queueName;
            return this;
        }

        /**
         * Sets the records per invocation. Default 1, as relays pass one packet at a time.
         *
         * @param batchSize 1 to 10,000; above 10 needs a batching window of at least one second
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Caps how many worker invocations the mapping runs at once. Default: no cap.
         *
         * @param maximumConcurrency 2 to 1000, or {@code null} for no cap
         * @return this builder
         */
        public Builder maximumConcurrency(Integer maximumConcurrency) {
            this.maximumConcurrency = maximumConcurrency;
            return this;
        }

        /**
         * Sets how long the mapping gathers records before invoking. Default: none.
         *
         * @param window 0 to 300 seconds, or {@code null}
         * @return this builder
         */
        public Builder maximumBatchingWindow(Duration window) {
            this.maximumBatchingWindow = window;
            return this;
        }

        /**
         * Sets how many attempts a packet has before the worker moves it to the dead-letter queue.
         * Default 5. The queue's redrive policy allows {@value RelaySetup#REDRIVE_BACKSTOP} receives
         * more, for receives that never reach a worker.
         *
         * @param maxReceiveCount 1 to 1000
         * @return this builder
         */
        public Builder maxReceiveCount(int maxReceiveCount) {
            this.maxReceiveCount = maxReceiveCount;
            return this;
        }

        /**
         * Sets the relay queue's visibility timeout. Default, and minimum: six times the worker's
         * timeout, as AWS recommends for event-source mappings.
         *
         * @param visibilityTimeout up to 12 hours, or {@code null} for the default
         * @return this builder
         */
        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = visibilityTimeout;
            return this;
        }

        /**
         * Sets how long SQS keeps a packet nobody received. Default 4 days; the dead-letter queue
         * always keeps 14 days.
         *
         * @param retention 60 seconds to 14 days
         * @return this builder
         */
        public Builder messageRetention(Duration retention) {
            this.messageRetention = retention;
            return this;
        }

        /**
         * Sets when the relay counts as expired: its {@code lambda-relay:expires} tag, and the
         * deadline past which a worker ends it ({@link RelayFailure.Reason#DEADLINE}). Default
         * one day.
         *
         * @param expiresAfter positive
         * @return this builder
         */
        public Builder expiresAfter(Duration expiresAfter) {
            this.expiresAfter = expiresAfter;
            return this;
        }

        /**
         * Chooses whether setup sets the worker's recursion config to {@code Allow}. Lambda stops a
         * Lambda-SQS-Lambda chain after about 16 hops otherwise. Default {@code true}; opt out when
         * the config is managed elsewhere (infrastructure code) or the start role may not change it.
         *
         * @param manageRecursion {@code false} to leave the config alone
         * @return this builder
         */
        public Builder manageRecursion(boolean manageRecursion) {
            this.manageRecursion = manageRecursion;
            return this;
        }

        /**
         * Limits the hand-offs of a chain (or of each part). Past it a worker ends the relay with
         * {@link RelayFailure.Reason#MAX_HOPS}. Default 100,000.
         *
         * @param maxHops at least 1
         * @return this builder
         */
        public Builder maxHops(long maxHops) {
            this.maxHops = maxHops;
            return this;
        }

        /**
         * Limits hops in a row that complete no unit (zero progress). Past it a worker ends the
         * relay with {@link RelayFailure.Reason#NO_PROGRESS}. Default 10.
         *
         * @param maxIdleHops at least 1
         * @return this builder
         */
        public Builder maxIdleHops(int maxIdleHops) {
            this.maxIdleHops = maxIdleHops;
            return this;
        }

        /**
         * Limits units per second across the whole relay, shared by all parts: each running part
         * paces itself at its share (the limit divided by the parts that can run at once, the
         * smaller of the part count and {@link #maximumConcurrency}). Default: none.
         *
         * @param unitsPerSecond positive, or {@code null} for none
         * @return this builder
         */
        public Builder rateLimit(Double unitsPerSecond) {
            this.rateLimit = unitsPerSecond;
            return this;
        }

        /**
         * Finds the rate limit instead of keeping to it, for a service whose limit you do not know
         * (it answers 429, and {@code processUnit} throws {@link RelayThrottledException}):
         * {@link #rateLimit} is then only where each part's share starts. A share doubles each
         * second until its first throttle, then grows by 10% a second, and shrinks by 30% on each
         * throttle; a throttled unit is undone and tried again in the same invocation at the new
         * pace, with no back-off hand-off. Each part's share travels in its packet. Default:
         * {@code false}. docs/benchmarks.md measures how close it settles to a vendor's limit.
         *
         * @param adaptive whether to find the limit
         * @return this builder
         */
        public Builder adaptiveRate(boolean adaptive) {
            this.adaptiveRate = adaptive;
            return this;
        }

        /**
         * What happens when a chain's packet ends in the dead-letter queue after its last attempt,
         * or more parts of a fan-out than {@link #toleratedFailures} do: with {@code true} (the
         * default) the relay <b>parks</b>. Its mapping is disabled, and its queue, dead-letter
         * queue and ledger entries are kept; the queue is tagged {@link Relay#TAG_PARKED}, the
         * worker's {@link RelayWorker#onRelayParked} runs, and the janitor leaves the relay until
         * its expiry. After you deploy a fix, {@link RelayControl#resume(String)} (or
         * {@code relay resume <id>}) moves the dead-lettered packets back and enables the mapping,
         * and the relay goes on under the same id with the new code. With {@code false} the relay
         * ends instead: {@link RelayWorker#onRelayFailed} with {@link RelayFailure.Reason#DEAD_LETTERED}
         * or {@link RelayFailure.Reason#TOO_MANY_FAILED_PARTS}, and a tear-down that keeps the
         * dead-letter queue.
         *
         * @param park whether to park
         * @return this builder
         */
        public Builder parkWhenDeadLettered(boolean park) {
            this.parkWhenDeadLettered = park;
            return this;
        }

        /**
         * Sets how many parts of a fan-out may fail (end in the dead-letter queue) while the relay
         * still counts as complete, as Distributed Map's tolerated failure count. Default 0.
         *
         * @param toleratedFailures zero or more
         * @return this builder
         */
        public Builder toleratedFailures(int toleratedFailures) {
            this.toleratedFailures = toleratedFailures;
            return this;
        }

        /**
         * Puts a queue policy on both queues that denies every request not made over TLS
         * ({@code aws:SecureTransport} false). Default {@code false}: SQS's endpoints are HTTPS and
         * the SDK uses them, but the policy also refuses a misconfigured client.
         *
         * @param deny {@code true} to set the policy
         * @return this builder
         */
        public Builder denyInsecureTransport(boolean deny) {
            this.denyInsecureTransport = deny;
            return this;
        }

        /**
         * Adds a tag to both queues, for cost allocation or ownership.
         *
         * @param key a tag key not starting with {@code lambda-relay:}
         * @param value the value, up to 256 characters
         * @return this builder
         */
        public Builder tag(String key, String value) {
            tags.put(Objects.requireNonNull(key, "tag key"), Objects.requireNonNull(value, "tag value"));
            return this;
        }

        /**
         * Validates and builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException naming the bad option and its value
         */
        public RelaySetup build() {
            if (queueName != null) {
                validateQueueName("queueName", queueName);
            }
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1 to 10000, got " + batchSize);
            }
            if (maximumConcurrency != null && (maximumConcurrency < 2 || maximumConcurrency > 1000)) {
                throw new IllegalArgumentException("maximumConcurrency must be 2 to 1000 (Lambda's limits), got "
                        + maximumConcurrency);
            }
            if (maximumBatchingWindow != null
                    && (maximumBatchingWindow.isNegative() || maximumBatchingWindow.compareTo(Duration.ofSeconds(300)) > 0)) {
                throw new IllegalArgumentException("maximumBatchingWindow must be 0 to 300 seconds, got "
                        + maximumBatchingWindow);
            }
            if (batchSize > 10 && (maximumBatchingWindow == null || maximumBatchingWindow.getSeconds() < 1)) {
                throw new IllegalArgumentException("batchSize " + batchSize
                        + " is above 10, which Lambda allows only with a maximumBatchingWindow of at least 1 second");
            }
            if (maxReceiveCount < 1 || maxReceiveCount > MAX_RECEIVE_COUNT) {
                throw new IllegalArgumentException("maxReceiveCount must be 1 to " + MAX_RECEIVE_COUNT + ", got "
                        + maxReceiveCount);
            }
            if (visibilityTimeout != null && (visibilityTimeout.isNegative()
                    || visibilityTimeout.getSeconds() > MAX_VISIBILITY_SECONDS)) {
                throw new IllegalArgumentException("visibilityTimeout must be 0 to 12 hours, got " + visibilityTimeout);
            }
            Objects.requireNonNull(messageRetention, "messageRetention");
            if (messageRetention.getSeconds() < 60 || messageRetention.compareTo(Duration.ofDays(14)) > 0) {
                throw new IllegalArgumentException("messageRetention must be 60 seconds to 14 days, got " + messageRetention);
            }
            Objects.requireNonNull(expiresAfter, "expiresAfter");
            if (expiresAfter.isZero() || expiresAfter.isNegative()) {
                throw new IllegalArgumentException("expiresAfter must be positive, got " + expiresAfter);
            }
            for (Map.Entry<String, String> t : tags.entrySet()) {
                if (t.getKey().startsWith(Relay.TAG_PREFIX)) {
                    throw new IllegalArgumentException("tag key '" + t.getKey() + "' uses the reserved prefix '"
                            + Relay.TAG_PREFIX + "'");
                }
                if (!TAG_KEY.matcher(t.getKey()).matches() || t.getValue().length() > 256) {
                    throw new IllegalArgumentException("tag '" + t.getKey() + "' is not a valid SQS tag: keys are 1 to 128 "
                            + "letters, digits, spaces and _ . : / = + - @; values at most 256 characters");
                }
            }
            if (maxHops < 1) {
                throw new IllegalArgumentException("maxHops must be at least 1, got " + maxHops);
            }
            if (maxIdleHops < 1) {
                throw new IllegalArgumentException("maxIdleHops must be at least 1, got " + maxIdleHops);
            }
            if (adaptiveRate && rateLimit == null) {
                throw new IllegalArgumentException("adaptiveRate needs a rateLimit to start from; set rateLimit to a "
                        + "rate the service surely allows, e.g. rateLimit(10.0)");
            }
            if (rateLimit != null && (!(rateLimit > 0) || rateLimit.isInfinite())) {
                throw new IllegalArgumentException("rateLimit must be a positive number of units per second, got "
                        + rateLimit);
            }
            if (toleratedFailures < 0) {
                throw new IllegalArgumentException("toleratedFailures must not be negative, got " + toleratedFailures);
            }
            if (poolQueueName != null) {
                if (!pooled) {
                    throw new IllegalArgumentException("poolQueueName '" + poolQueueName + "' is set but pooled is "
                            + "false; call pooled(true) as well, or leave poolQueueName unset");
                }
                validateQueueName("poolQueueName", poolQueueName);
            }
            if (pooled && queueName != null) {
                throw new IllegalArgumentException("queueName names a relay's own queue, which a pooled relay has "
                        + "not; name the pool's queue with poolQueueName instead");
            }
            if (tags.size() > 45) {
                throw new IllegalArgumentException("at most 45 extra tags fit beside the relay's own, got " + tags.size());
            }
            return new RelaySetup(this);
        }
    }
}
