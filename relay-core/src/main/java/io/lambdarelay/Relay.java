package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.internal.Arn;
import io.lambdarelay.internal.PacketCodec;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceInUseException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ScalingConfig;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDeletedRecentlyException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

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
    /** SQS's longest per-message delay. */
    public static final Duration MAX_SQS_DELAY = Duration.ofSeconds(900);

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    private static final int VISIBILITY_FACTOR = 6;
    private static final long DLQ_RETENTION_SECONDS = Duration.ofDays(14).getSeconds();

    private final SqsClient sqs;
    private final LambdaClient givenLambda;
    private final boolean ownsSqs;
    /** Created on first use when not given: a worker that only passes never pays for it at cold start. */
    private volatile LambdaClient createdLambda;
    private final Clock clock;
    private final int maxPacketBytes;
    private final RelayLedger ledger;

    private Relay(Builder b) {
        this.ownsSqs = b.sqsClient == null;
        this.sqs = ownsSqs ? SqsClient.create() : b.sqsClient;
        this.givenLambda = b.lambdaClient;
        this.clock = b.clock;
        this.maxPacketBytes = b.maxPacketBytes;
        this.ledger = b.ledger;
    }

    /**
     * Creates a relay with default SDK clients (region and credentials from the Lambda
     * environment). {@link #close()} closes them.
     *
     * @return a relay
     */
    public static Relay create() {
        return builder().build();
    }

    /**
     * Starts a builder.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the packet size limit this relay enforces.
     *
     * @return the limit in UTF-8 bytes
     */
    public int maxPacketBytes() {
        return maxPacketBytes;
    }

    private LambdaClient lambda() {
        if (givenLambda != null) {
            return givenLambda;
        }
        LambdaClient c = createdLambda;
        if (c == null) {
            synchronized (this) {
                c = createdLambda;
                if (c == null) {
                    c = LambdaClient.create();
                    createdLambda = c;
                }
            }
        }
        return c;
    }

    /**
     * Returns the ledger that makes hand-offs exactly-once and counts parts.
     *
     * @return the ledger, if one was configured
     */
    public Optional<RelayLedger> ledger() {
        return Optional.ofNullable(ledger);
    }

    Clock clock() {
        return clock;
    }

    // ---- setup ------------------------------------------------------------------------------

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
     * mapping with batch item failure reporting.
     *
     * <p>If any step fails, what the call had created is deleted again before the exception is
     * thrown. The recursion config is a setting of the function, not a resource, and stays.
     *
     * <p>Calls: {@code lambda:GetFunctionConfiguration}, {@code sqs:CreateQueue},
     * {@code sqs:TagQueue}, {@code sqs:GetQueueAttributes}, {@code sqs:GetQueueUrl} (only for a
     * caller-named queue), {@code lambda:GetFunctionRecursionConfig},
     * {@code lambda:PutFunctionRecursionConfig} (only when not yet {@code Allow}),
     * {@code lambda:CreateEventSourceMapping}, and on roll-back {@code sqs:DeleteQueue} and
     * {@code lambda:DeleteEventSourceMapping}.
     *
     * @param context the calling function's context, or {@code null} outside Lambda
     * @param workerFunction the worker's name or ARN
     * @param options the relay's options
     * @return the first packet, ready for user keys and {@link #relayPass(RelayPacket)}
     * @throws RelaySetupException if a step fails; nothing is left behind
     */
    public RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        Objects.requireNonNull(workerFunction, "workerFunction");
        Objects.requireNonNull(options, "options");
        if (workerFunction.isBlank()) {
            throw new IllegalArgumentException("workerFunction must name the worker function, got a blank string");
        }
        String relayId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Instant now = clock.instant();

        GetFunctionConfigurationResponse fn;
        try {
            fn = lambda().getFunctionConfiguration(r -> r.functionName(workerFunction));
        } catch (ResourceNotFoundException e) {
            throw new RelaySetupException("worker function '" + workerFunction + "' does not exist; check the name, "
                    + "the region of the Lambda client, and that it is deployed", workerFunction, relayId, e);
        } catch (SdkException e) {
            throw new RelaySetupException("could not read the configuration of worker function '" + workerFunction
                    + "' (" + e.getClass().getSimpleName() + "); the start role needs lambda:GetFunctionConfiguration",
                    workerFunction, relayId, e);
        }
        Arn fnArn = parseArn(fn.functionArn(), "function", workerFunction, relayId);
        String fnName = fn.functionName() != null ? fn.functionName() : fnArn.resourceName();
        int timeoutSeconds = fn.timeout() == null ? 3 : fn.timeout();
        long minVisibility = Math.min(43_200L, (long) VISIBILITY_FACTOR * timeoutSeconds);
        long visibility = minVisibility;
        if (options.visibilityTimeout() != null) {
            visibility = options.visibilityTimeout().getSeconds();
            if (visibility < minVisibility) {
                throw new RelaySetupException("visibilityTimeout " + visibility + " s is shorter than six times worker '"
                        + fnName + "''s timeout (6 x " + timeoutSeconds + " s = " + minVisibility + " s); a slow worker's "
                        + "packet would be delivered twice. Raise it or leave it unset", workerFunction, relayId, null);
            }
        }

        String queueName = options.queueName() != null ? options.queueName() : generatedQueueName(fnName, relayId);
        String dlqName = queueName + RelaySetup.DLQ_SUFFIX;
        if (options.queueName() != null) {
            requireQueueAbsent(queueName, workerFunction, relayId);
            requireQueueAbsent(dlqName, workerFunction, relayId);
        }

        Map<String, String> tags = new LinkedHashMap<>(options.tags());
        tags.put(TAG_RELAY_ID, relayId);
        tags.put(TAG_FUNCTION, fnName);
        tags.put(TAG_CREATED, now.toString());
        tags.put(TAG_EXPIRES, now.plus(options.expiresAfter()).toString());

        Deque<Runnable> undo = new ArrayDeque<>();
        String step = "create the dead-letter queue '" + dlqName + "'";
        try {
            Map<String, String> dlqTags = new LinkedHashMap<>(tags);
            dlqTags.put(TAG_ROLE, "dlq");
            Map<QueueAttributeName, String> dlqAttrs = new LinkedHashMap<>();
            dlqAttrs.put(QueueAttributeName.SQS_MANAGED_SSE_ENABLED, "true");
            dlqAttrs.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(DLQ_RETENTION_SECONDS));
            if (options.denyInsecureTransport()) {
                dlqAttrs.put(QueueAttributeName.POLICY, denyInsecureTransportPolicy(fnArn, dlqName));
            }
            String dlqUrl = sqs.createQueue(r -> r.queueName(dlqName).attributes(dlqAttrs).tags(dlqTags)).queueUrl();
            undo.push(() -> sqs.deleteQueue(r -> r.queueUrl(dlqUrl)));
            step = "read the dead-letter queue's ARN";
            String dlqArn = queueArn(dlqUrl);

            step = "create the relay queue '" + queueName + "'";
            Map<String, String> queueTags = new LinkedHashMap<>(tags);
            queueTags.put(TAG_ROLE, "queue");
            Map<QueueAttributeName, String> attrs = new LinkedHashMap<>();
            attrs.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility));
            attrs.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(options.messageRetention().getSeconds()));
            attrs.put(QueueAttributeName.SQS_MANAGED_SSE_ENABLED, "true");
            if (options.denyInsecureTransport()) {
                attrs.put(QueueAttributeName.POLICY, denyInsecureTransportPolicy(fnArn, queueName));
            }
            attrs.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                    + "\",\"maxReceiveCount\":" + options.maxReceiveCount() + "}");
            String queueUrl = sqs.createQueue(r -> r.queueName(queueName).attributes(attrs).tags(queueTags)).queueUrl();
            undo.push(() -> sqs.deleteQueue(r -> r.queueUrl(queueUrl)));
            step = "read the relay queue's ARN";
            String queueArn = queueArn(queueUrl);
            Arn qArn = Arn.parse(queueArn);
            if (!qArn.region().equals(fnArn.region()) || !qArn.partition().equals(fnArn.partition())) {
                throw new IllegalStateException("the relay queue is in " + qArn.partition() + "/" + qArn.region()
                        + " but the worker is in " + fnArn.partition() + "/" + fnArn.region()
                        + "; build the Relay with SQS and Lambda clients for the same region");
            }

            if (!options.manageRecursion()) {
                warnIfRecursionTerminates(fn.functionArn(), relayId);
            } else {
                step = "set worker '" + fnName + "''s recursion config to Allow (needs lambda:GetFunctionRecursionConfig "
                        + "and lambda:PutFunctionRecursionConfig, or RelaySetup.manageRecursion(false))";
                ensureRecursionAllowed(fn.functionArn(), relayId);
            }

            step = "create the event-source mapping from '" + queueName + "' to '" + fnName + "'";
            CreateEventSourceMappingRequest.Builder esm = CreateEventSourceMappingRequest.builder()
                    .eventSourceArn(queueArn)
                    .functionName(fn.functionArn())
                    .enabled(true)
                    .batchSize(options.batchSize())
                    .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES);
            if (options.maximumConcurrency() != null) {
                esm.scalingConfig(ScalingConfig.builder().maximumConcurrency(options.maximumConcurrency()).build());
            }
            if (options.maximumBatchingWindow() != null) {
                esm.maximumBatchingWindowInSeconds((int) options.maximumBatchingWindow().getSeconds());
            }
            String uuid = lambda().createEventSourceMapping(esm.build()).uuid();

            RelayPacket pkt = RelayPacket.create(queueUrl, uuid);
            pkt.stat(RelayPacket.RELAY_ID, relayId);
            pkt.stat(RelayPacket.HOP, 0L);
            pkt.stat(RelayPacket.CREATED_AT, now.toEpochMilli());
            pkt.stat(RelayPacket.DLQ_URL, dlqUrl);
            pkt.stat(RelayPacket.FUNCTION, fnName);
            pkt.stat(RelayPacket.DEADLINE, now.plus(options.expiresAfter()).toEpochMilli());
            pkt.stat(RelayPacket.MAX_HOPS, options.maxHops());
            pkt.stat(RelayPacket.MAX_IDLE_HOPS, options.maxIdleHops());
            pkt.stat(RelayPacket.MAX_RECEIVE, options.maxReceiveCount());
            if (options.toleratedFailures() > 0) {
                pkt.stat(RelayPacket.TOLERATED, options.toleratedFailures());
            }
            if (options.rateLimit() != null) {
                pkt.stat(RelayPacket.RATE, options.rateLimit());
            }
            if (options.maximumConcurrency() != null) {
                pkt.stat(RelayPacket.CONCURRENCY, options.maximumConcurrency());
            }
            LOG.info("relay {} set up: worker {}, queue {}, mapping {}, visibility {} s{}", relayId, fnName, queueName,
                    uuid, visibility, context == null ? "" : ", request " + context.getAwsRequestId());
            return pkt;
        } catch (RuntimeException e) {
            String hint = "";
            if (e instanceof QueueDeletedRecentlyException) {
                hint = " (SQS refuses a queue name for 60 seconds after it was deleted: choose another queueName or "
                        + "wait a minute)";
            } else if (e instanceof QueueNameExistsException) {
                hint = " (a queue of that name exists with other attributes: choose another queueName)";
            }
            RelaySetupException failure = new RelaySetupException("relay setup could not " + step + ": "
                    + describe(e) + hint + "; everything it had created was deleted", workerFunction, relayId, e);
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException rollbackFailure) {
                    failure.addSuppressed(rollbackFailure);
                }
            }
            throw failure;
        }
    }

    private void requireQueueAbsent(String name, String workerFunction, String relayId) {
        try {
            sqs.getQueueUrl(r -> r.queueName(name));
        } catch (QueueDoesNotExistException e) {
            return;
        } catch (SdkException e) {
            throw new RelaySetupException("could not check whether queue '" + name + "' exists (" + describe(e)
                    + "); the start role needs sqs:GetQueueUrl", workerFunction, relayId, e);
        }
        throw new RelaySetupException("queue '" + name + "' already exists; a relay needs queues of its own, so choose "
                + "another queueName or tear down the relay that owns it", workerFunction, relayId, null);
    }

    private void warnIfRecursionTerminates(String functionArn, String relayId) {
        try {
            RecursiveLoop current = lambda().getFunctionRecursionConfig(r -> r.functionName(functionArn)).recursiveLoop();
            if (current != RecursiveLoop.ALLOW) {
                LOG.warn("relay {}: worker {} has recursion config {}; Lambda will stop the chain after about 16 hops "
                        + "and its packet will end in the dead-letter queue. Set it to Allow, or let setup do it",
                        relayId, functionArn, current);
            }
        } catch (SdkException e) {
            LOG.debug("relay {}: could not read the recursion config of {} ({})", relayId, functionArn,
                    e.getClass().getSimpleName());
        }
    }

    static String denyInsecureTransportPolicy(Arn functionArn, String queueName) {
        String queueArn = "arn:" + functionArn.partition() + ":sqs:" + functionArn.region() + ":" + functionArn.account()
                + ":" + queueName;
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\","
                + "\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\"" + queueArn + "\","
                + "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
    }

    private void ensureRecursionAllowed(String functionArn, String relayId) {
        RecursiveLoop current = lambda().getFunctionRecursionConfig(r -> r.functionName(functionArn)).recursiveLoop();
        if (current != RecursiveLoop.ALLOW) {
            lambda().putFunctionRecursionConfig(r -> r.functionName(functionArn).recursiveLoop(RecursiveLoop.ALLOW));
            LOG.info("relay {}: set recursion config of {} from {} to Allow", relayId, functionArn, current);
        }
    }

    private String queueArn(String queueUrl) {
        return Queues.arn(sqs, queueUrl);
    }

    private static Arn parseArn(String arn, String what, String workerFunction, String relayId) {
        try {
            return Arn.parse(arn);
        } catch (RuntimeException e) {
            throw new RelaySetupException("Lambda returned an unusable " + what + " ARN '" + arn + "'", workerFunction,
                    relayId, e);
        }
    }

    static String generatedQueueName(String functionName, String relayId) {
        String fn = functionName.replaceAll("[^A-Za-z0-9_-]", "-");
        if (fn.length() > 40) {
            fn = fn.substring(0, 40);
        }
        return "relay-" + fn + "-" + relayId;
    }

    private static String describe(Throwable e) {
        String m = e instanceof SdkException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    // ---- pass -------------------------------------------------------------------------------

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
        return relayPass(pkt, Duration.ZERO);
    }

    /**
     * Passes the packet to the next worker invocation after a delay, with exactly one
     * {@code sqs:SendMessage}. Increments {@code stats.sqsCount} and the hop, and checks the size
     * before any network call.
     *
     * <p>Delays up to 15 minutes use SQS's per-message delay. A longer delay sends the packet with
     * 15 minutes and marks it not due before the requested time; a {@link RelayWorker} that receives
     * it early passes it on again without running user work (see {@link #deferIfNotDue}).
     *
     * @param pkt the packet
     * @param delay zero or more; rounded up to whole seconds
     * @return the SQS message id
     * @throws PacketTooLargeException before any network call, if the packet is over the limit
     * @throws RelayPassException if SQS fails the send; the packet's counters are unchanged
     */
    public String relayPass(RelayPacket pkt, Duration delay) {
        Objects.requireNonNull(pkt, "pkt");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        long delaySeconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
        ObjectNode before = pkt.statsSnapshot();
        int sendDelay;
        if (delaySeconds > MAX_SQS_DELAY.getSeconds()) {
            pkt.stat(RelayPacket.NOT_BEFORE, clock.instant().plus(delay).toEpochMilli());
            sendDelay = (int) MAX_SQS_DELAY.getSeconds();
        } else {
            pkt.clearStat(RelayPacket.NOT_BEFORE);
            sendDelay = (int) delaySeconds;
        }
        pkt.stat(RelayPacket.SQS_COUNT, pkt.sqsCount() + 1);
        pkt.stat(RelayPacket.HOP, pkt.hop() + 1);
        String body = pkt.toJson();
        long size = PacketCodec.utf8Length(body);
        if (size > maxPacketBytes) {
            pkt.restoreStats(before);
            throw new PacketTooLargeException(size, maxPacketBytes, null);
        }
        try {
            String messageId = sqs.sendMessage(r -> r.queueUrl(pkt.queueUrl()).messageBody(body)
                    .delaySeconds(sendDelay)).messageId();
            LOG.debug("relay {} passed hop {} ({} bytes, delay {} s) as message {}", pkt.relayId(), pkt.hop(), size,
                    sendDelay, messageId);
            return messageId;
        } catch (QueueDoesNotExistException e) {
            pkt.restoreStats(before);
            throw new RelayPassException("relay queue " + pkt.queueUrl() + " does not exist: the relay was torn down "
                    + "or removed as expired", pkt.queueUrl(), pkt.relayId(), e);
        } catch (SdkException e) {
            pkt.restoreStats(before);
            throw new RelayPassException("SendMessage to relay queue " + pkt.queueUrl() + " failed (" + describe(e)
                    + "); the packet was not passed and can be passed again", pkt.queueUrl(), pkt.relayId(), e);
        }
    }

    /**
     * Passes a packet on again if it was sent with a delay longer than SQS's 15 minutes and is not
     * due yet. A worker calls this before doing any work; {@link RelayWorker} does it for you.
     *
     * @param pkt a received packet
     * @return {@code true} if the packet was passed on and the worker must not work on it now
     * @throws RelayPassException if the pass fails
     */
    public boolean deferIfNotDue(RelayPacket pkt) {
        Optional<Instant> notBefore = pkt.notBefore();
        if (notBefore.isEmpty()) {
            return false;
        }
        Duration left = Duration.between(clock.instant(), notBefore.get());
        if (left.isNegative() || left.isZero()) {
            pkt.clearStat(RelayPacket.NOT_BEFORE);
            return false;
        }
        relayPass(pkt, left);
        return true;
    }

    // ---- fan-out ----------------------------------------------------------------------------

    /** Entries per SendMessageBatch call, SQS's limit. */
    static final int BATCH_ENTRIES = 10;
    /** Payload per SendMessageBatch call, SQS's limit. */
    static final long BATCH_BYTES = PacketCodec.MAX_SQS_MESSAGE_BYTES;
    private static final int BATCH_ATTEMPTS = 3;
    /** How often the drain watchdog looks at the queue, and how long it must stay empty. */
    static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(60);

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
        Objects.requireNonNull(packets, "packets");
        if (packets.isEmpty()) {
            return List.of();
        }
        String queueUrl = packets.get(0).queueUrl();
        for (RelayPacket p : packets) {
            Objects.requireNonNull(p, "packets must not contain null");
            if (!p.queueUrl().equals(queueUrl)) {
                throw new IllegalArgumentException("relayPassAll takes packets of one relay queue; got " + queueUrl
                        + " and " + p.queueUrl());
            }
        }
        int n = packets.size();
        ObjectNode[] before = new ObjectNode[n];
        String[] bodies = new String[n];
        long[] sizes = new long[n];
        for (int i = 0; i < n; i++) {
            RelayPacket p = packets.get(i);
            before[i] = p.statsSnapshot();
            p.clearStat(RelayPacket.NOT_BEFORE);
            p.stat(RelayPacket.SQS_COUNT, p.sqsCount() + 1);
            p.stat(RelayPacket.HOP, p.hop() + 1);
            bodies[i] = p.toJson();
            sizes[i] = PacketCodec.utf8Length(bodies[i]);
            if (sizes[i] > maxPacketBytes) {
                for (int j = 0; j <= i; j++) {
                    packets.get(j).restoreStats(before[j]);
                }
                throw new PacketTooLargeException(sizes[i], maxPacketBytes, null);
            }
        }
        String[] ids = new String[n];
        List<Integer> refused = new ArrayList<>();
        int calls = 0;
        int start = 0;
        while (start < n) {
            int end = start;
            long bytes = 0;
            while (end < n && end - start < BATCH_ENTRIES && bytes + sizes[end] <= BATCH_BYTES) {
                bytes += sizes[end++];
            }
            List<Integer> pending = new ArrayList<>();
            for (int i = start; i < end; i++) {
                pending.add(i);
            }
            for (int attempt = 1; !pending.isEmpty() && attempt <= BATCH_ATTEMPTS; attempt++) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i : pending) {
                    entries.add(SendMessageBatchRequestEntry.builder()
                            .id(Integer.toString(i)).messageBody(bodies[i]).build());
                }
                SendMessageBatchResponse resp;
                try {
                    calls++;
                    resp = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                } catch (SdkException e) {
                    List<Integer> unsent = new ArrayList<>(refused);
                    unsent.addAll(pending);
                    for (int i = end; i < n; i++) {
                        unsent.add(i);
                    }
                    throw partial(packets, before, ids, unsent, e);
                }
                resp.successful().forEach(ok -> ids[Integer.parseInt(ok.id())] = ok.messageId());
                List<Integer> retry = new ArrayList<>();
                for (var failed : resp.failed()) {
                    int i = Integer.parseInt(failed.id());
                    if (Boolean.TRUE.equals(failed.senderFault())) {
                        refused.add(i);
                    } else {
                        retry.add(i);
                    }
                }
                pending = retry;
            }
            refused.addAll(pending);
            start = end;
        }
        if (!refused.isEmpty()) {
            throw partial(packets, before, ids, refused, null);
        }
        LOG.debug("relay {} passed {} packet(s) in {} batch call(s)", packets.get(0).relayId(), n, calls);
        return List.of(ids);
    }

    private PartialPassException partial(List<RelayPacket> packets, ObjectNode[] before, String[] ids,
            List<Integer> unsentIdx, SdkException cause) {
        List<RelayPacket> unsent = new ArrayList<>();
        unsentIdx.stream().sorted().distinct().forEach(i -> {
            packets.get(i).restoreStats(before[i]);
            unsent.add(packets.get(i));
        });
        int sent = (int) Arrays.stream(ids).filter(Objects::nonNull).count();
        RelayPacket first = packets.get(0);
        return new PartialPassException(unsent.size() + " of " + packets.size() + " packet(s) could not be passed"
                + (cause == null ? " (SQS refused them)" : " (" + describe(cause) + ")")
                + "; pass exception.unsent() again", first.queueUrl(), first.relayId(), sent, unsent, cause);
    }

    /**
     * Splits the packet into {@code parts} labelled parts, lets {@code init} give each its share of
     * the work, and passes them all with {@link #relayPassAll}. Without a ledger it also starts the
     * drain watchdog ({@link #startDrainWatchdog}), which tears the relay down once the queue stays
     * empty.
     *
     * @param pkt the packet from setup
     * @param parts 1 to 100,000
     * @param init called with each part's index and packet, to set part-specific keys
     * @return the SQS message ids of the parts, in order
     * @throws PartialPassException if some parts could not be sent
     */
    public List<String> fanOut(RelayPacket pkt, int parts, BiConsumer<Integer, RelayPacket> init) {
        Objects.requireNonNull(init, "init");
        List<RelayPacket> split = pkt.split(parts);
        for (int i = 0; i < split.size(); i++) {
            init.accept(i, split.get(i));
        }
        List<String> ids = relayPassAll(split);
        if (ledger == null && parts > 1) {
            startDrainWatchdog(pkt, parts);
        }
        LOG.info("relay {} fanned out into {} part(s){}", pkt.relayId(), parts,
                ledger == null ? " with a drain watchdog" : " with a ledger");
        return ids;
    }

    /**
     * Starts the drain watchdog of a fan-out relay without a ledger: a packet that re-schedules
     * itself every 60 seconds and, once the relay queue (visible, in flight and delayed) was seen
     * empty on two checks at least 60 seconds apart, runs the completion hook and tears the relay
     * down. This is approximate: a part that is passed with a delay of more than 60 seconds after
     * the queue looked empty would be torn down under. With a ledger, completion is exact and no
     * watchdog is needed.
     *
     * @param pkt the packet from setup
     * @param parts the relay's part count
     * @return the watchdog's SQS message id
     */
    public String startDrainWatchdog(RelayPacket pkt, int parts) {
        RelayPacket dog = RelayPacket.create(pkt.queueUrl(), pkt.mappingUuid());
        dog.restoreStats(pkt.statsSnapshot());
        dog.clearStat(RelayPacket.PART);
        dog.stat(RelayPacket.PARTS, parts);
        dog.stat(RelayPacket.WATCHDOG, 1L);
        return relayPass(dog, WATCHDOG_PERIOD);
    }

    /**
     * Reads a relay's progress: the ledger's tally, if there is a ledger, and the approximate
     * message counts of the relay queue and its dead-letter queue.
     *
     * @param pkt any packet of the relay
     * @return the progress
     */
    public RelayProgress progress(RelayPacket pkt) {
        PartTally tally = ledger == null || pkt.relayId() == null ? null : ledger.tally(pkt.relayId());
        long queued = countMessages(pkt.queueUrl(), pkt.queueUrl());
        String dlqUrl = pkt.statText(RelayPacket.DLQ_URL);
        long dlq = dlqUrl == null ? -1 : countMessages(dlqUrl, pkt.queueUrl());
        return new RelayProgress(pkt.partCount(), known(tally == null ? -1 : tally.done()),
                known(tally == null ? -1 : tally.failed()), known(tally == null ? -1 : tally.units()), known(queued),
                known(dlq));
    }

    private static OptionalLong known(long count) {
        return count < 0 ? OptionalLong.empty() : OptionalLong.of(count);
    }

    /**
     * Moves the messages of the relay's dead-letter queue back to the relay queue, once the bug
     * that failed them is fixed. Works on AWS and on local SQS alike (it receives, sends in
     * batches, then deletes; it does not rely on {@code StartMessageMoveTask}). A message is
     * deleted from the dead-letter queue only after it was sent, so a failure part-way loses
     * nothing (at worst a message is moved twice).
     *
     * @param pkt any packet of the relay
     * @return how many messages were moved
     * @throws RelayException if the relay has no dead-letter queue or SQS fails
     */
    public int redrive(RelayPacket pkt) {
        String dlqUrl = pkt.statText(RelayPacket.DLQ_URL);
        if (dlqUrl == null) {
            throw new RelayException("relay packet names no dead-letter queue (a relay the Node package started?)");
        }
        int moved = 0;
        try {
            while (true) {
                List<Message> msgs = sqs.receiveMessage(r -> r.queueUrl(dlqUrl)
                        .maxNumberOfMessages(BATCH_ENTRIES).waitTimeSeconds(0).visibilityTimeout(60)).messages();
                if (msgs.isEmpty()) {
                    break;
                }
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i = 0; i < msgs.size(); i++) {
                    entries.add(SendMessageBatchRequestEntry.builder()
                            .id(Integer.toString(i)).messageBody(msgs.get(i).body()).build());
                }
                var sent = sqs.sendMessageBatch(r -> r.queueUrl(pkt.queueUrl()).entries(entries));
                List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
                for (var ok : sent.successful()) {
                    var m = msgs.get(Integer.parseInt(ok.id()));
                    deletes.add(DeleteMessageBatchRequestEntry.builder()
                            .id(ok.id()).receiptHandle(m.receiptHandle()).build());
                }
                if (!deletes.isEmpty()) {
                    sqs.deleteMessageBatch(r -> r.queueUrl(dlqUrl).entries(deletes));
                    moved += deletes.size();
                }
                if (!sent.failed().isEmpty()) {
                    throw new RelayException(sent.failed().size() + " message(s) could not be moved back to "
                            + pkt.queueUrl() + "; they stay in " + dlqUrl + ", run redrive again");
                }
            }
        } catch (QueueDoesNotExistException e) {
            throw new RelayException("redrive needs both queues of a live relay, but one is gone (" + describe(e)
                    + "); moved " + moved + " message(s) before that", e);
        } catch (SdkException e) {
            throw new RelayException("redrive from " + dlqUrl + " failed after moving " + moved + " message(s) ("
                    + describe(e) + "); run it again", e);
        }
        LOG.info("relay {}: moved {} message(s) from the dead-letter queue back to the relay queue", pkt.relayId(), moved);
        return moved;
    }

    /** Message attribute naming the exception type that dead-lettered a packet. */
    public static final String ATTR_ERROR = "lambda-relay-error";
    /** Message attribute with the receive count at which a packet was dead-lettered. */
    public static final String ATTR_RECEIVES = "lambda-relay-receive-count";

    /**
     * Sends a received message body, unchanged, to the relay's dead-letter queue with the reason as
     * message attributes (the exception's type only: its message may hold packet contents).
     *
     * @return {@code true} if it was sent; {@code false} if the packet names no DLQ or SQS failed,
     *     in which case the queue's redrive policy will move it instead
     */
    boolean deadLetter(RelayPacket pkt, String body, Exception reason, long receiveCount) {
        String dlqUrl = pkt.statText(RelayPacket.DLQ_URL);
        if (dlqUrl == null) {
            return false;
        }
        try {
            sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageAttributes(Map.of(
                    ATTR_ERROR, software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                            .dataType("String").stringValue(reason.getClass().getName()).build(),
                    ATTR_RECEIVES, software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                            .dataType("Number").stringValue(Long.toString(receiveCount)).build())));
            LOG.warn("relay {}: part {} hop {} failed {} time(s) with {}; moved to the dead-letter queue",
                    pkt.relayId(), pkt.part(), pkt.hop(), receiveCount, reason.getClass().getName());
            return true;
        } catch (SdkException e) {
            LOG.warn("relay {}: could not dead-letter part {} hop {} ({}); the redrive policy will move it",
                    pkt.relayId(), pkt.part(), pkt.hop(), e.getClass().getSimpleName());
            return false;
        }
    }

    // ---- receive ----------------------------------------------------------------------------

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
        List<SQSMessage> records = records(event);
        if (records.size() > 1) {
            throw new IllegalArgumentException("SQS event has " + records.size()
                    + " records; use getRelayPkts(event), or RelayWorker, when the batch size is above 1");
        }
        return getRelayPkt(records.get(0));
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
        List<SQSMessage> records = records(event);
        List<RelayPacket> out = new ArrayList<>(records.size());
        for (SQSMessage m : records) {
            out.add(getRelayPkt(m));
        }
        return out;
    }

    /**
     * Reads and validates the packet of one SQS record: size against the limit, hardened JSON,
     * reserved keys and their types, and that the packet belongs to the queue it came from.
     *
     * @param message an SQS record
     * @return the packet
     * @throws InvalidPacketException naming what is wrong, with the message id
     */
    public RelayPacket getRelayPkt(SQSMessage message) {
        Objects.requireNonNull(message, "message");
        RelayPacket pkt = RelayPacket.parse(message.getBody(), maxPacketBytes, message.getMessageId());
        String source = message.getEventSourceArn();
        if (source != null && !source.isEmpty()) {
            String sourceQueue = source.substring(source.lastIndexOf(':') + 1);
            String packetQueue = pkt.queueUrl().substring(pkt.queueUrl().lastIndexOf('/') + 1);
            if (!sourceQueue.equals(packetQueue)) {
                throw new InvalidPacketException(InvalidPacketException.Reason.WRONG_QUEUE, "relay packet names queue '"
                        + packetQueue + "' but arrived from queue '" + sourceQueue + "'; it belongs to another relay",
                        message.getMessageId(), null);
            }
        }
        LOG.debug("relay {} received hop {} as message {}", pkt.relayId(), pkt.hop(), message.getMessageId());
        return pkt;
    }

    private static List<SQSMessage> records(SQSEvent event) {
        Objects.requireNonNull(event, "event");
        List<SQSMessage> records = event.getRecords();
        if (records == null || records.isEmpty()) {
            throw new InvalidPacketException(InvalidPacketException.Reason.EMPTY,
                    "SQS event has no records; is this function invoked by the relay's event-source mapping?", null, null);
        }
        return records;
    }

    // ---- tear down --------------------------------------------------------------------------

    /**
     * Ends the relay: deletes the event-source mapping, then the relay queue, then the dead-letter
     * queue if it is empty. A dead-letter queue holding messages is kept (and a warning logged) so
     * failed packets can be inspected or redriven. Calling it twice, or on a relay that is half
     * gone, is not an error.
     *
     * <p>Calls {@code lambda:DeleteEventSourceMapping}, {@code sqs:DeleteQueue} and
     * {@code sqs:GetQueueAttributes}.
     *
     * @param pkt any packet of the relay
     * @return what was deleted and kept
     * @throws TearDownException if AWS fails a deletion for a reason other than its target being gone
     */
    public TearDownResult tearDown(RelayPacket pkt) {
        Objects.requireNonNull(pkt, "pkt");
        String relayId = pkt.relayId();
        boolean mappingDeleted = false;
        try {
            lambda().deleteEventSourceMapping(r -> r.uuid(pkt.mappingUuid()));
            mappingDeleted = true;
        } catch (ResourceNotFoundException | ResourceInUseException e) {
            LOG.debug("relay {}: mapping {} already gone or being deleted", relayId, pkt.mappingUuid());
        } catch (SdkException e) {
            throw new TearDownException("could not delete event-source mapping " + pkt.mappingUuid() + " ("
                    + describe(e) + "); call tearDown again", pkt.queueUrl(), e);
        }
        boolean queueDeleted = deleteQueue(pkt.queueUrl());
        String dlqUrl = pkt.statText(RelayPacket.DLQ_URL);
        boolean dlqDeleted = false;
        long dlqMessages = 0;
        if (dlqUrl != null) {
            dlqMessages = countMessages(dlqUrl, pkt.queueUrl());
            if (dlqMessages > 0) {
                LOG.warn("relay {}: dead-letter queue {} keeps {} failed packet(s); inspect or redrive them, then delete it",
                        relayId, dlqUrl, dlqMessages);
            } else if (dlqMessages == 0) {
                dlqDeleted = deleteQueue(dlqUrl);
            } else {
                dlqMessages = 0;
            }
        }
        LOG.info("relay {} torn down after {} hop(s): mapping {}, queue {}, dlq {}", relayId, pkt.hop(),
                mappingDeleted ? "deleted" : "already gone", queueDeleted ? "deleted" : "already gone",
                dlqUrl == null ? "none" : dlqMessages > 0 ? "kept" : dlqDeleted ? "deleted" : "already gone");
        return new TearDownResult(mappingDeleted, queueDeleted, dlqDeleted, dlqMessages, dlqUrl);
    }

    private boolean deleteQueue(String queueUrl) {
        try {
            return Queues.delete(sqs, queueUrl);
        } catch (SdkException e) {
            throw new TearDownException("could not delete queue " + queueUrl + " (" + describe(e)
                    + "); call tearDown again", queueUrl, e);
        }
    }

    /** Returns the messages visible, in flight and delayed, or -1 if the queue is gone. */
    private long countMessages(String queueUrl, String relayQueueUrl) {
        try {
            return Queues.countMessages(sqs, queueUrl);
        } catch (SdkException | NumberFormatException e) {
            throw new TearDownException("could not count the messages of queue " + queueUrl + " ("
                    + describe(e) + ")", relayQueueUrl, e);
        }
    }

    /**
     * Closes the SDK clients this relay created itself; clients given to the builder stay open.
     */
    @Override
    public void close() {
        if (ownsSqs) {
            sqs.close();
        }
        LambdaClient created = createdLambda;
        if (created != null) {
            created.close();
        }
    }

    /** Builds a {@link Relay}. Not thread-safe. */
    public static final class Builder {
        private SqsClient sqsClient;
        private LambdaClient lambdaClient;
        private Clock clock = Clock.systemUTC();
        private int maxPacketBytes = RelayPacket.DEFAULT_MAX_BYTES;
        private RelayLedger ledger;

        private Builder() {
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
         * relay creates from the environment and closes in {@link Relay#close()}.
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
         * relay creates from the environment and closes in {@link Relay#close()}.
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
         * @throws IllegalArgumentException naming the bad setting
         */
        public Relay build() {
            RelayPacket.checkLimit(maxPacketBytes);
            return new Relay(this);
        }
    }
}
