package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The relay batch pattern: set up a temporary queue and event-source mapping, pass a small packet
 * from one worker invocation to the next, and tear it all down when the job is done.
 *
 * <pre>{@code
 * // start function
 * RelayPacket pkt = relay.setup(context, "importWorker");
 * pkt.put("s3Key", "big/file.csv");
 * relay.relayPass(pkt);
 *
 * // worker function (or extend RelayWorker, which does this loop for you)
 * RelayPacket in = relay.getRelayPkt(sqsEvent);
 * ... work while TimeBudget.of(context).hasTimeForAnother() ...
 * if (moreToDo) relay.relayPass(in); else relay.tearDown(in);
 * }</pre>
 *
 * <p>Thread-safe: one instance, built once per Lambda execution environment (in a static field or
 * the handler's constructor), serves every invocation. It never closes the SDK clients it was
 * given; {@link #close()} closes only clients it created itself.
 */
public final class Relay implements AutoCloseable {
    /** Prefix of the tags the relay puts on its queues. */
    public static final String TAG_PREFIX = "lambda-relay:";
    /** Tag holding the relay id. */
    public static final String TAG_RELAY_ID = TAG_PREFIX + "relay-id";
    /** Tag holding the worker function's name. */
    public static final String TAG_FUNCTION = TAG_PREFIX + "function";
    /** Tag holding the setup time, ISO-8601. */
    public static final String TAG_CREATED = TAG_PREFIX + "created";
    /** Tag holding the expiry time, ISO-8601. */
    public static final String TAG_EXPIRES = TAG_PREFIX + "expires";
    /** Tag saying whether a queue is the relay queue ({@code queue}) or its dead-letter queue ({@code dlq}). */
    public static final String TAG_ROLE = TAG_PREFIX + "role";
    /**
     * Tag of a parked relay's queue: when it parked (ISO-8601). A worker sets it when a chain's
     * packet, or more parts than tolerated, end in the dead-letter queue; resuming removes it.
     */
    public static final String TAG_PARKED = TAG_PREFIX + "parked";
    /** Tag of a parked relay's queue: why, in words (reason, part, hop; never packet contents). */
    public static final String TAG_PARKED_REASON = TAG_PREFIX + "parked-reason";
    /**
     * Tag of a relay's queues when the relay keeps its fan-in in a ledger: the ledger's
     * {@link io.lambdarelay.ledger.RelayLedger#describe()}, e.g. {@code dynamodb:relay-ledger}.
     */
    public static final String TAG_LEDGER = TAG_PREFIX + "ledger";
    /** Tag of a paused relay's queue: when it was paused (ISO-8601); resuming removes it. */
    public static final String TAG_PAUSED = TAG_PREFIX + "paused";
    /** Tag of a pool's queues ({@link RelaySetup.Builder#pooled(boolean)}): the worker function's name. */
    public static final String TAG_POOL = TAG_PREFIX + "pool";
    /** Message attribute of a dead-lettered packet: its relay's id (a pool's dead-letter queue holds many relays'). */
    public static final String ATTR_RELAY_ID = "lambda-relay-id";
    /** SQS's longest per-message delay. */
    public static final Duration MAX_SQS_DELAY = Duration.ofSeconds(900);
    /** Message attribute naming the exception type that dead-lettered a packet. */
    public static final String ATTR_ERROR = "lambda-relay-error";
    /** Message attribute with the receive count at which a packet was dead-lettered. */
    public static final String ATTR_RECEIVES = "lambda-relay-receive-count";

    private final int maxPacketBytes;
    private final ValueCodec values;
    private final RelayLedger ledger;
    private final Wiring wiring;
    private final Launcher launcher;
    private final CheckpointHook checkpointHook = new CheckpointHook();

    private Relay(Builder b, ValueCodec values) {
        this.maxPacketBytes = b.maxPacketBytes;
        this.values = values;
        this.ledger = b.ledger;
        this.wiring = Wiring.of(b.sqsClient, b.lambdaClient, b.clock, b.maxPacketBytes, b.ledger,
                new BackOff(b.pause, b.seeds), b.beforeUnit, b.metrics, values);
        this.launcher = new Launcher(wiring);
    }

    /**
     * {@return a relay with default SDK clients (region and credentials from the Lambda
     * environment, the URL-connection HTTP client), which {@link #close()} closes}
     */
    public static Relay create() {
        return builder().build();
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return a new mapper with the settings a relay uses for packet values when given none: to
     * change (register a module, say) and pass to {@link Builder#valueMapper}. java.time values are
     * written as ISO-8601 text (a {@code ZonedDateTime} with its region in brackets, as its
     * {@code toString()} writes it) and read back without being moved to UTC; decimals are read
     * as exact {@code BigDecimal}s}
     */
    public static ObjectMapper defaultValueMapper() {
        return ValueCodec.defaultMapper();
    }

    /** {@return the packet size limit this relay enforces, in UTF-8 bytes} */
    public int maxPacketBytes() {
        return maxPacketBytes;
    }

    /** {@return the ledger that makes hand-offs exactly-once and counts parts, if one was configured} */
    public Optional<RelayLedger> ledger() {
        return Optional.ofNullable(ledger);
    }

    /**
     * Sets up a relay with default options: see {@link #setup(Context, String, RelaySetup)}.
     *
     * @param context the calling function's context, or {@code null} outside Lambda
     * @param workerFunction the worker's name or ARN
     * @return the first packet, ready for user keys and {@link #relayPass(RelayPacket)}
     * @throws RelaySetupException if a step fails; nothing is left behind
     */
    public RelayPacket setup(Context context, String workerFunction) {
        return setup(context, workerFunction, RelaySetup.defaults());
    }

    /**
     * Sets up a relay: reads the worker's configuration, creates a dead-letter queue and the relay
     * queue (SSE-SQS, redrive after {@code maxReceiveCount}, visibility timeout at least six times
     * the worker's timeout, tagged with relay id, function, creation and expiry), makes sure the
     * worker's recursion config is {@code Allow} (unless opted out), and creates the event-source
     * mapping with batch item failure reporting. If any step fails, what the call had created is
     * deleted again before the exception is thrown; the recursion config, a setting of the
     * function, stays.
     *
     * <p>The IAM actions it calls are those of docs/iam/start-role-policy.json.
     *
     * @param context the calling function's context, or {@code null} outside Lambda
     * @param workerFunction the worker's name or ARN
     * @param options the relay's options
     * @return the first packet, ready for user keys and {@link #relayPass(RelayPacket)}
     * @throws RelaySetupException if a step fails; nothing is left behind
     */
    public RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        checkSetupArguments(workerFunction, options);
        return wiring.resources().setup(context, workerFunction, options);
    }

    private static void checkSetupArguments(String workerFunction, RelaySetup options) {
        Objects.requireNonNull(workerFunction, "workerFunction");
        Objects.requireNonNull(options, "options");
        if (workerFunction.isBlank()) {
            throw new IllegalArgumentException("workerFunction must name the worker function, got a blank string");
        }
    }

    /**
     * Passes the packet to the next worker invocation at once: see
     * {@link #relayPass(RelayPacket, Duration)}.
     *
     * @param pkt the packet
     * @return the SQS message id
     * @throws PacketTooLargeException before any network call, if the packet is over the limit
     * @throws RelayPassException if SQS fails the send; the packet is unchanged
     */
    public String relayPass(RelayPacket pkt) {
        return wiring.sender().pass(pkt, Duration.ZERO);
    }

    /**
     * Passes the packet to the next worker invocation after a delay, with exactly one
     * {@code sqs:SendMessage}: the packet goes out with its pass count and hop one higher, and
     * takes those numbers only once SQS has it; a failed send leaves it as it was. Delays up to 15
     * minutes use SQS's per-message delay; a longer one sends the packet with 15 minutes and marks
     * it not due before the requested time, and a {@link RelayWorker} that receives it early
     * passes it on again without running user work.
     *
     * @param pkt the packet
     * @param delay zero or more; rounded up to whole seconds
     * @return the SQS message id
     * @throws PacketTooLargeException before any network call, if the packet is over the limit
     * @throws RelayPassException if SQS fails the send; the packet is unchanged
     */
    public String relayPass(RelayPacket pkt, Duration delay) {
        return wiring.sender().pass(pkt, delay);
    }

    /**
     * Passes many packets of one relay at once with {@code sqs:SendMessageBatch}: at most ten
     * entries and 1 MiB per call, so 10,000 parts cost at most 1,000 calls. Entries SQS reports as
     * failed for its own reasons are retried (up to three attempts); entries that were sent are
     * never sent again. Sizes are checked before any network call.
     *
     * @param packets packets of the same relay queue, such as the parts of {@link RelayPacket#split}
     * @return the SQS message ids, in the packets' order
     * @throws PacketTooLargeException before any network call, if a packet is over the limit
     * @throws PartialPassException if some packets could not be sent; it lists them, unchanged
     */
    public List<String> relayPassAll(List<RelayPacket> packets) {
        return wiring.sender().passAll(packets);
    }

    /**
     * Splits the packet into {@code parts} labelled parts, lets {@code init} give each its share of
     * the work, and passes them all with {@link #relayPassAll}. Without a ledger it first starts a
     * drain watchdog: a packet that looks at the queue every 60 seconds and completes the relay
     * once it stayed empty for 60 seconds (approximate; with a ledger, completion is exact). If
     * some parts cannot be passed, pass {@link PartialPassException#unsent()} again with
     * {@link #relayPassAll}; the watchdog is already running.
     *
     * @param pkt the packet from setup
     * @param parts 1 to 100,000
     * @param init called with each part's index and packet, to set part-specific keys
     * @return the SQS message ids of the parts, in order
     * @throws PartialPassException if some parts could not be sent
     */
    public List<String> fanOut(RelayPacket pkt, int parts, BiConsumer<Integer, RelayPacket> init) {
        return launcher.fanOut(Objects.requireNonNull(pkt, "pkt"), parts, init);
    }

    /**
     * The one call a start function needs: {@link #setup sets a relay up}, lets {@code fill} put
     * the job's keys in its first packet, and {@link #relayPass passes} it. If {@code fill} or the
     * pass fails, the relay is torn down again before the exception is thrown, so a failed start
     * leaves no queue or mapping behind.
     *
     * @param context the calling function's context, or {@code null} outside Lambda
     * @param workerFunction the worker's name or ARN
     * @param options the relay's options
     * @param fill puts the job's keys in the first packet
     * @return the packet as passed
     * @throws RelaySetupException if setup fails; nothing is left behind
     * @throws PacketTooLargeException if the filled packet is over the limit; the relay is torn down
     * @throws RelayPassException if SQS fails the send; the relay is torn down
     */
    public RelayPacket start(Context context, String workerFunction, RelaySetup options, Consumer<RelayPacket> fill) {
        checkSetupArguments(workerFunction, options);
        return launcher.start(context, workerFunction, options, fill);
    }

    /**
     * {@link #start} for a fan-out: sets a relay up, splits its first packet into {@code parts}
     * with {@link #fanOut}, and rolls everything back if any part cannot be passed.
     *
     * @param context the calling function's context, or {@code null} outside Lambda
     * @param workerFunction the worker's name or ARN
     * @param options the relay's options
     * @param parts 1 to 100,000
     * @param init called with each part's index and packet, to set part-specific keys
     * @return the SQS message ids of the parts, in order
     * @throws RelaySetupException if setup fails; nothing is left behind
     * @throws PartialPassException if some parts could not be sent; the relay is torn down
     */
    public List<String> startFanOut(Context context, String workerFunction, RelaySetup options, int parts,
            BiConsumer<Integer, RelayPacket> init) {
        checkSetupArguments(workerFunction, options);
        return launcher.startFanOut(context, workerFunction, options, parts, init);
    }

    /**
     * Reads what a relay has spent so far (see {@link RelayCost} for what is counted). For a chain:
     * what its packet carries. For a fan-out: the sum of its finished parts, from the ledger; in
     * {@link RelayWorker#onComplete}, every part's. Makes no AWS call but the ledger's read.
     *
     * @param pkt a packet of the relay; for a fan-out, any of its parts
     * @return the cost; empty for a fan-out without a ledger, or with one that keeps no costs
     * @throws io.lambdarelay.ledger.LedgerUnavailableException if the ledger cannot answer
     */
    public Optional<RelayCost> cost(RelayPacket pkt) {
        Objects.requireNonNull(pkt, "pkt");
        return pkt.header().isPart() ? wiring.fanIn().cost(pkt) : Optional.of(pkt.cost());
    }

    /**
     * Reads a relay's progress: the ledger's tally, if there is a ledger, and the approximate
     * message counts of the relay queue and its dead-letter queue.
     *
     * @param pkt any packet of the relay
     * @return the progress; what cannot be known is empty
     */
    public RelayProgress progress(RelayPacket pkt) {
        return RelayProgress.of(pkt.partCount(), wiring.fanIn().tally(pkt), wiring.resources().queued(pkt), wiring.resources().deadLettered(pkt));
    }

    /**
     * Moves the messages of the relay's dead-letter queue back to the relay queue, once the bug
     * that failed them is fixed. It receives, sends in batches, then deletes (it does not rely on
     * {@code StartMessageMoveTask}), so it works on AWS and on local SQS alike; a message leaves
     * the dead-letter queue only after it was sent, so a failure part-way loses nothing.
     *
     * @param pkt any packet of the relay
     * @return how many messages were moved
     * @throws RelayException if the relay has no dead-letter queue or SQS fails
     */
    public int redrive(RelayPacket pkt) {
        return wiring.redrive().run(Objects.requireNonNull(pkt, "pkt"));
    }

    /**
     * Reads the packet of a single-record event (the default batch size of 1).
     *
     * @param event the worker's SQS event
     * @return the packet
     * @throws InvalidPacketException if the event has no record, or its body is not a valid packet
     * @throws IllegalArgumentException if the event has more than one record; use
     *     {@link #getRelayPkts(SQSEvent)}
     */
    public RelayPacket getRelayPkt(SQSEvent event) {
        return Receiver.single(event, maxPacketBytes, values);
    }

    /**
     * Reads the packets of every record in an event. Fails on the first invalid record; to report
     * failures per record, read each with {@link #getRelayPkt(SQSMessage)} (as {@link RelayWorker}
     * does).
     *
     * @param event the worker's SQS event
     * @return the packets, in record order
     * @throws InvalidPacketException if the event has no record or one is not a valid packet
     */
    public List<RelayPacket> getRelayPkts(SQSEvent event) {
        return Receiver.all(event, maxPacketBytes, values);
    }

    /**
     * Reads and validates the packet of one SQS record: size against the limit, hardened JSON,
     * reserved keys and the library's metadata (types and ranges), and that the packet belongs to
     * the queue it came from.
     *
     * @param message an SQS record
     * @return the packet
     * @throws InvalidPacketException naming what is wrong, with the message id
     */
    public RelayPacket getRelayPkt(SQSMessage message) {
        return Receiver.read(message, maxPacketBytes, values);
    }

    /**
     * Ends the relay: marks its queue as ending, deletes the event-source mappings that read it,
     * then the relay queue, then the dead-letter queue if it is empty. Everything deleted is found
     * from the relay queue (the mappings by its ARN, the dead-letter queue by its redrive policy),
     * never from the packet's fields. A dead-letter queue holding messages is kept (and a warning
     * logged) so failed packets can be inspected or redriven. Calling it twice, or on a relay that
     * is half gone, is not an error; if it fails part-way, call it again or let the janitor finish
     * it. The IAM actions it calls are in docs/iam/worker-role-policy.json.
     *
     * @param pkt any packet of the relay
     * @return what was deleted and kept
     * @throws TearDownException if AWS fails a step for a reason other than its target being gone
     */
    public TearDownResult tearDown(RelayPacket pkt) {
        return tearDown(pkt, false);
    }

    /**
     * Ends the relay as {@link #tearDown(RelayPacket)} does, and keeps the dead-letter queue even
     * if SQS counts it empty. SQS's counts lag by up to a minute: after putting a packet into the
     * dead-letter queue yourself, pass {@code true} so it is not deleted with it.
     *
     * @param pkt any packet of the relay
     * @param keepDeadLetterQueue keep the dead-letter queue whatever its count
     * @return what was deleted and kept
     * @throws TearDownException if AWS fails a step for a reason other than its target being gone
     */
    public TearDownResult tearDown(RelayPacket pkt, boolean keepDeadLetterQueue) {
        return wiring.resources().tearDown(Objects.requireNonNull(pkt, "pkt"), keepDeadLetterQueue);
    }

    /**
     * Runs the code of a hop once on a sample packet, without any network call, so that its classes
     * are loaded and initialised before the first real hop: for Lambda SnapStart, where what
     * initialisation did is kept in the snapshot of a published version and every environment
     * restored from it starts with it done. It writes and reads a packet with the JSON codecs (a
     * pass, a delayed pass, a fan-out's parts, a worker's read), sends it through the SDK's whole
     * request path on an SQS client of its own whose HTTP client answers in-process, and builds
     * the Lambda client this relay would otherwise build on first use.
     *
     * <p>No client of this relay is called, no random or unique value is drawn, and nothing it
     * measures is kept. The SDK's global interceptors (those a jar on the classpath registers for
     * every client) see the one in-process call. Without SnapStart, priming only moves work into
     * the init phase, which is part of the cold start too; leave it out then.
     *
     * <p>Call it during initialisation, or let {@link #primeBeforeCheckpoint()} run it just before
     * the snapshot. Safe to call more than once, from any thread.
     */
    public void prime() {
        Priming.relay(this);
    }

    /**
     * Registers {@link #prime()} to run just before a checkpoint: the snapshot Lambda SnapStart
     * takes when it publishes a version, or a CRaC JVM's checkpoint. It registers an
     * {@code org.crac.Resource} with {@code org.crac}'s global context when {@code org.crac} (the
     * {@code org.crac:crac} jar, which SnapStart's runtime hooks use) is on the classpath, and does
     * nothing without it: {@code org.crac} is an optional dependency, which neither your code nor
     * the library needs otherwise. Call it during initialisation; the relay keeps the registration,
     * so keep the relay (a static field or the handler's) for as long as the function runs. Later
     * calls register nothing more. On a JVM without checkpoints the resource is registered and
     * never called. A priming that fails at the checkpoint is logged, and the snapshot is taken
     * without it.
     *
     * @return {@code true} if registered (now or before), {@code false} if {@code org.crac} is not
     *     on the classpath
     */
    public boolean primeBeforeCheckpoint() {
        return primeBeforeCheckpoint(null);
    }

    /** {@link #primeBeforeCheckpoint()} with an {@code org.crac.Context<Resource>} of a test's, or the global one for {@code null}. */
    boolean primeBeforeCheckpoint(Object context) {
        return checkpointHook.register(this::prime, context);
    }

    /** Closes the SDK clients this relay created itself; clients given to the builder stay open. */
    @Override
    public void close() {
        wiring.clients().close();
    }

    /** {@return the internal pieces, for {@link RelayWorker}} */
    Wiring wiring() {
        return wiring;
    }

    /** Builds a {@link Relay}. Not thread-safe. */
    public static final class Builder {
        private SqsClient sqsClient;
        private LambdaClient lambdaClient;
        private Clock clock = Clock.systemUTC();
        private BackOff.Pause pause = Thread::sleep;
        private LongSupplier seeds = BackOff.SECURE_SEEDS;
        private int maxPacketBytes = RelayPacket.DEFAULT_MAX_BYTES;
        private RelayLedger ledger;
        private Consumer<RelayPacket> beforeUnit = pkt -> { };
        private RelayMetricsListener metrics;
        private ObjectMapper valueMapper;

        private Builder() {
        }

        /**
         * Sets the Jackson mapper for the objects users put in packets and get from them
         * ({@link RelayPacket#putObject}, {@link RelayPacket#get(String, Class)}): your modules, naming
         * strategy, date formats. It applies to every packet this relay sets up or reads, in start
         * functions and workers alike, so give the same mapper to both. The packet's own keys
         * ({@code QueueUrl}, {@code UUID}, {@code stats}) and its size and nesting limits are the
         * library's and stay as they are. {@link #build()} takes a copy, so changing the mapper
         * afterwards does not change the relay; the types a packet refuses (threads, streams, ...)
         * are refused with any mapper. Polymorphic typing is up to the mapper: enable it only with
         * a validator that names your types. Default: {@link Relay#defaultValueMapper()}.
         *
         * <pre>{@code
         * Relay relay = Relay.builder().valueMapper(Relay.defaultValueMapper().registerModule(new Jdk8Module())).build();
         * }</pre>
         *
         * @param mapper the mapper, or {@code null} for the default
         * @return this builder
         */
        public Builder valueMapper(ObjectMapper mapper) {
            this.valueMapper = mapper;
            return this;
        }

        /**
         * Sets a listener that a {@link RelayWorker} on this relay calls once per invocation with
         * its {@link RelayMetrics}: records, units completed, hop latency, budget used, time left at
         * the hand-off, deadline hand-offs, throttles. Counts and durations only, never packet
         * contents. What it throws is logged and fails no record. Default: none.
         *
         * <pre>{@code
         * Relay relay = Relay.builder().metrics(EmfMetricsListener.create()).build(); // CloudWatch EMF on stdout
         * }</pre>
         *
         * @param listener the listener, or {@code null} for none
         * @return this builder
         */
        public Builder metrics(RelayMetricsListener listener) {
            this.metrics = listener;
            return this;
        }

        /**
         * Sets a listener a worker calls before each unit, on the unit's thread and as part of the
         * unit, with the packet the unit gets: for tests that count units or inject a fault at
         * one, and for metrics. What it throws fails the unit as the unit's own exception would
         * (a {@link RelayThrottledException} included); if it blocks, the deadline hand-off cuts
         * the unit short. It must not change the packet. Default: none.
         *
         * <pre>{@code
         * Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
         *         .beforeUnit(pkt -> aws.faults().point("Unit", pkt.relayId() + " " + pkt.getLong("next", 1)))
         *         .build();
         * }</pre>
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder beforeUnit(Consumer<RelayPacket> listener) {
            this.beforeUnit = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets a ledger: hand-offs become exactly-once (forked chains are stopped) and fan-out
         * relays complete exactly once. Default: none, which makes the relay at-least-once.
         *
         * @param ledger the ledger, or {@code null} for none
         * @return this builder
         */
        public Builder ledger(RelayLedger ledger) {
            this.ledger = ledger;
            return this;
        }

        /**
         * Sets the SQS client. The relay never closes a client given here. Default: a client the
         * relay creates from the environment, on the URL-connection HTTP client whatever other HTTP
         * client the classpath holds, and closes in {@link Relay#close()}.
         *
         * @param sqsClient the client
         * @return this builder
         */
        public Builder sqsClient(SqsClient sqsClient) {
            this.sqsClient = sqsClient;
            return this;
        }

        /**
         * Sets the Lambda client. The relay never closes a client given here. Default: a client the
         * relay creates from the environment, on first use, on the URL-connection HTTP client, and
         * closes in {@link Relay#close()}.
         *
         * @param lambdaClient the client
         * @return this builder
         */
        public Builder lambdaClient(LambdaClient lambdaClient) {
            this.lambdaClient = lambdaClient;
            return this;
        }

        /**
         * Sets the clock for tags, deadlines and long delays. Default: the UTC system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Sets how back-offs between batch tries wait; tests pass one that does not sleep. */
        Builder pause(BackOff.Pause pause) {
            this.pause = Objects.requireNonNull(pause, "pause");
            return this;
        }

        /**
         * Sets where back-off jitter takes its seeds, one per draw, at the moment of the draw; tests
         * pass one they control.
         */
        Builder seeds(LongSupplier seeds) {
            this.seeds = Objects.requireNonNull(seeds, "seeds");
            return this;
        }

        /**
         * Sets the packet size limit. Default 65,536 bytes (one SQS billing unit).
         *
         * @param maxPacketBytes 1 to 1,048,576 (SQS's message limit)
         * @return this builder
         */
        public Builder maxPacketBytes(int maxPacketBytes) {
            this.maxPacketBytes = maxPacketBytes;
            return this;
        }

        /**
         * Validates the settings and builds the relay.
         *
         * @return the relay
         * @throws IllegalArgumentException naming the bad setting, such as a value mapper that cannot
         *     be copied
         */
        public Relay build() {
            RelayPacket.checkLimit(maxPacketBytes);
            return new Relay(this, valueMapper == null ? ValueCodec.defaults() : ValueCodec.of(valueMapper));
        }
    }
}
