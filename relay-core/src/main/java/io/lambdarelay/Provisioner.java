package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.internal.Arn;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.internal.RelayTeardown;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ScalingConfig;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDeletedRecentlyException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;

/**
 * Creates a relay of its own: reads the worker's configuration, creates the dead-letter queue and
 * the relay queue (tagged, encrypted, with the redrive policy and a visibility timeout fit for the
 * worker), allows the worker's recursion, and creates the event-source mapping. Every resource it
 * creates is pushed on an undo stack, so a step that fails leaves nothing behind. Thread-safe.
 */
final class Provisioner {
    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
    private static final int VISIBILITY_FACTOR = 6;
    private static final long MAX_VISIBILITY_SECONDS = 43_200;
    private static final String DLQ_RETENTION_SECONDS = Long.toString(14L * 24 * 3600);

    private final Clients clients;
    private final Clock clock;
    /** The ledger's description for the queues' tag, or null without a ledger. */
    private final String ledgerTag;
    /** The value mapper of the packets setup returns. */
    private final ValueCodec values;

    Provisioner(Clients clients, Clock clock, String ledgerTag, ValueCodec values) {
        this.clients = clients;
        this.clock = clock;
        this.values = values;
        this.ledgerTag = ledgerTag == null || ledgerTag.isEmpty() ? null
                : ledgerTag.length() > 256 ? ledgerTag.substring(0, 256) : ledgerTag;
    }

    /**
     * The worker as Lambda describes it, and the relay's naming derived from it.
     *
     * @param name the function's name, without a version or alias
     * @param arn the ARN Lambda gave for what setup was given: with its version or alias, if any,
     *     which the mapping then invokes (SnapStart applies to published versions only)
     * @param parsedArn {@code arn}'s parts
     * @param functionArn the function's ARN without a version or alias, for its function-level
     *     settings (the recursion config)
     * @param timeoutSeconds the timeout of the version {@code arn} names
     */
    private record Worker(String name, String arn, Arn parsedArn, String functionArn, int timeoutSeconds) {
    }

    RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        String relayId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Instant now = clock.instant();
        Worker worker = describeWorker(workerFunction, relayId);
        long visibility = visibilityTimeout(worker, options, workerFunction, relayId);
        String queueName = options.queueName() != null ? options.queueName() : queueName(worker.name(), relayId);
        String dlqName = queueName + RelaySetup.DLQ_SUFFIX;
        if (options.queueName() != null) {
            requireQueueAbsent(queueName, workerFunction, relayId);
            requireQueueAbsent(dlqName, workerFunction, relayId);
        }
        Instant deadline = deadline(now, options, workerFunction, relayId);
        Map<String, String> tags = new LinkedHashMap<>(options.tags());
        tags.put(Relay.TAG_RELAY_ID, relayId);
        tags.put(Relay.TAG_FUNCTION, worker.name());
        tags.put(Relay.TAG_CREATED, now.toString());
        tags.put(Relay.TAG_EXPIRES, deadline.toString());
        if (ledgerTag != null) {
            tags.put(Relay.TAG_LEDGER, ledgerTag);
        }

        Deque<Runnable> undo = new ArrayDeque<>();
        String step = "create the dead-letter queue '" + dlqName + "'";
        try {
            String dlqUrl = createDeadLetterQueue(dlqName, tags, worker, options, undo);
            step = "read the dead-letter queue's ARN";
            String dlqArn = Queues.arn(clients.sqs(), dlqUrl);

            step = "create the relay queue '" + queueName + "'";
            String queueUrl = createQueue(queueName, queueAttributes(visibility, dlqArn, options), tags, "queue", worker,
                    options, undo);
            step = "read the relay queue's ARN";
            String queueArn = Queues.arn(clients.sqs(), queueUrl);
            requireSameRegion(Arn.parse(queueArn), worker.parsedArn());

            if (!options.manageRecursion()) {
                warnIfRecursionTerminates(worker.functionArn(), relayId);
            } else {
                step = "set worker '" + worker.name() + "''s recursion config to Allow (needs "
                        + "lambda:GetFunctionRecursionConfig and lambda:PutFunctionRecursionConfig, or "
                        + "RelaySetup.manageRecursion(false))";
                allowRecursion(worker.functionArn(), relayId);
            }

            step = "create the event-source mapping from '" + queueName + "' to '" + worker.name() + "'";
            // Pushed before the call: a mapping whose response was lost exists all the same.
            undo.push(() -> deleteMappings(queueArn));
            String uuid = clients.lambda().createEventSourceMapping(mappingRequest(queueArn, worker, options)).uuid();

            LOG.info("relay {} set up: worker {}, queue {}, mapping {}, visibility {} s{}", relayId, worker.name(),
                    queueName, uuid, visibility, context == null ? "" : ", request " + context.getAwsRequestId());
            return RelayPacket.create(Header.first(queueUrl, uuid, relayId, now, deadline, dlqUrl, worker.name()),
                    Policy.of(options), values);
        } catch (RuntimeException e) {
            throw rolledBack(e, step, workerFunction, relayId, undo);
        }
    }

    /** A pool's queues and mapping. */
    record PoolQueues(String queueUrl, String dlqUrl, String mappingUuid) {
    }

    /**
     * Creates a worker's pool: its dead-letter queue, its queue (tagged {@link Relay#TAG_POOL},
     * without a relay id or expiry, so neither the janitor nor the relay list takes it for a relay)
     * and its mapping, and allows the worker's recursion. CreateQueue returns an existing queue of
     * the same attributes, and a mapping that exists already (another start created the pool
     * meanwhile) is taken as it is. A step that fails removes what this call created.
     */
    PoolQueues createPool(String workerFunction, String poolName, RelaySetup options) {
        Worker worker = describeWorker(workerFunction, null);
        long visibility = visibilityTimeout(worker, options, workerFunction, null);
        Map<String, String> tags = new LinkedHashMap<>(options.tags());
        tags.put(Relay.TAG_POOL, worker.name());
        tags.put(Relay.TAG_FUNCTION, worker.name());
        tags.put(Relay.TAG_CREATED, clock.instant().toString());
        if (ledgerTag != null) {
            tags.put(Relay.TAG_LEDGER, ledgerTag);
        }
        String dlqName = poolName + RelaySetup.DLQ_SUFFIX;
        Deque<Runnable> undo = new ArrayDeque<>();
        String step = "create the pool's dead-letter queue '" + dlqName + "'";
        try {
            String dlqUrl = createDeadLetterQueue(dlqName, tags, worker, options, undo);
            String dlqArn = Queues.arn(clients.sqs(), dlqUrl);
            step = "create the pool's queue '" + poolName + "'";
            String queueUrl = createQueue(poolName, queueAttributes(visibility, dlqArn, options), tags, "pool", worker,
                    options, undo);
            String queueArn = Queues.arn(clients.sqs(), queueUrl);
            requireSameRegion(Arn.parse(queueArn), worker.parsedArn());
            if (options.manageRecursion()) {
                step = "set worker '" + worker.name() + "''s recursion config to Allow";
                allowRecursion(worker.functionArn(), null);
            } else {
                warnIfRecursionTerminates(worker.functionArn(), null);
            }
            step = "create the event-source mapping from pool '" + poolName + "' to '" + worker.name() + "'";
            // Pushed before the call: a mapping whose response was lost exists all the same.
            undo.push(() -> deleteMappings(queueArn));
            String uuid;
            try {
                uuid = clients.lambda().createEventSourceMapping(mappingRequest(queueArn, worker, options)).uuid();
            } catch (ResourceConflictException e) {
                List<String> existing = RelayTeardown.mappings(clients.lambda(), queueArn, (s, x) -> x);
                if (existing.isEmpty()) {
                    throw e;
                }
                uuid = existing.get(0); // another start created it meanwhile
            }
            LOG.info("pool {} created: worker {}, mapping {}, visibility {} s", poolName, worker.name(), uuid,
                    visibility);
            return new PoolQueues(queueUrl, dlqUrl, uuid);
        } catch (RuntimeException e) {
            throw rolledBack(e, step, workerFunction, null, undo);
        }
    }

    /**
     * The queue's own receive limit: the relay's attempts plus {@link RelaySetup#REDRIVE_BACKSTOP}.
     * The worker dead-letters a packet itself after its last attempt, or when it arrives after a
     * last attempt that died, and then ends the relay or counts the part; SQS's redrive policy only
     * catches what no worker saw (receives burnt by throttling).
     */
    static int queueMaxReceiveCount(RelaySetup options) {
        return Math.min(RelaySetup.MAX_RECEIVE_COUNT, options.maxReceiveCount() + RelaySetup.REDRIVE_BACKSTOP);
    }

    private static Instant deadline(Instant now, RelaySetup options, String workerFunction, String relayId) {
        try {
            return now.plus(options.expiresAfter());
        } catch (DateTimeException | ArithmeticException e) {
            throw new RelaySetupException("expiresAfter " + options.expiresAfter() + " puts the relay's deadline beyond "
                    + "the dates Java can hold; choose a shorter one", workerFunction, relayId, e);
        }
    }

    private void deleteMappings(String queueArn) {
        for (String uuid : RelayTeardown.mappings(clients.lambda(), queueArn, (step, e) -> e)) {
            try {
                clients.lambda().deleteEventSourceMapping(r -> r.uuid(uuid));
            } catch (ResourceNotFoundException e) {
                // gone already
            }
        }
    }

    private Worker describeWorker(String workerFunction, String relayId) {
        GetFunctionConfigurationResponse fn;
        try {
            fn = clients.lambda().getFunctionConfiguration(r -> r.functionName(workerFunction));
        } catch (ResourceNotFoundException e) {
            throw new RelaySetupException("worker function '" + workerFunction + "' does not exist; check the name, "
                    + "the region of the Lambda client, and that it is deployed", workerFunction, relayId, e);
        } catch (SdkException e) {
            throw new RelaySetupException("could not read the configuration of worker function '" + workerFunction
                    + "' (" + e.getClass().getSimpleName() + "); the start role needs lambda:GetFunctionConfiguration",
                    workerFunction, relayId, e);
        }
        Arn arn;
        try {
            arn = Arn.parse(fn.functionArn());
        } catch (RuntimeException e) {
            throw new RelaySetupException("Lambda returned an unusable function ARN '" + fn.functionArn() + "'",
                    workerFunction, relayId, e);
        }
        String[] resource = arn.resource().split(":");
        String functionArn = arn.unqualified();
        String name = fn.functionName() != null ? fn.functionName() : resource[resource.length > 1 ? 1 : 0];
        return new Worker(name, fn.functionArn(), arn, functionArn, fn.timeout() == null ? 3 : fn.timeout());
    }

    private static long visibilityTimeout(Worker worker, RelaySetup options, String workerFunction, String relayId) {
        long min = Math.min(MAX_VISIBILITY_SECONDS, (long) VISIBILITY_FACTOR * worker.timeoutSeconds());
        if (options.visibilityTimeout() == null) {
            return min;
        }
        long chosen = options.visibilityTimeout().getSeconds();
        if (chosen < min) {
            throw new RelaySetupException("visibilityTimeout " + chosen + " s is shorter than six times worker '"
                    + worker.name() + "''s timeout (6 x " + worker.timeoutSeconds() + " s = " + min + " s); a slow "
                    + "worker's packet would be delivered twice. Raise it or leave it unset", workerFunction, relayId,
                    null);
        }
        return chosen;
    }

    /** A dead-letter queue: SSE-SQS, kept 14 days. */
    private String createDeadLetterQueue(String name, Map<String, String> tags, Worker worker, RelaySetup options,
            Deque<Runnable> undo) {
        Map<QueueAttributeName, String> attrs = new LinkedHashMap<>();
        attrs.put(QueueAttributeName.SQS_MANAGED_SSE_ENABLED, "true");
        attrs.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, DLQ_RETENTION_SECONDS);
        return createQueue(name, attrs, tags, "dlq", worker, options, undo);
    }

    /** A relay's or a pool's queue: its visibility timeout and retention, SSE-SQS, and its redrive policy. */
    private static Map<QueueAttributeName, String> queueAttributes(long visibility, String dlqArn, RelaySetup options) {
        Map<QueueAttributeName, String> attrs = new LinkedHashMap<>();
        attrs.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility));
        attrs.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(options.messageRetention().getSeconds()));
        attrs.put(QueueAttributeName.SQS_MANAGED_SSE_ENABLED, "true");
        attrs.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                + "\",\"maxReceiveCount\":" + queueMaxReceiveCount(options) + "}");
        return attrs;
    }

    private String createQueue(String name, Map<QueueAttributeName, String> attributes, Map<String, String> tags,
            String role, Worker worker, RelaySetup options, Deque<Runnable> undo) {
        if (options.denyInsecureTransport()) {
            attributes.put(QueueAttributeName.POLICY, denyInsecureTransportPolicy(worker.parsedArn(), name));
        }
        Map<String, String> roleTags = new LinkedHashMap<>(tags);
        roleTags.put(Relay.TAG_ROLE, role);
        String url = clients.sqs().createQueue(r -> r.queueName(name).attributes(attributes).tags(roleTags))
                .queueUrl();
        undo.push(() -> clients.sqs().deleteQueue(r -> r.queueUrl(url)));
        return url;
    }

    private static void requireSameRegion(Arn queue, Arn function) {
        if (!queue.region().equals(function.region()) || !queue.partition().equals(function.partition())) {
            throw new IllegalStateException("the relay queue is in " + queue.partition() + "/" + queue.region()
                    + " but the worker is in " + function.partition() + "/" + function.region()
                    + "; build the Relay with SQS and Lambda clients for the same region");
        }
    }

    private static CreateEventSourceMappingRequest mappingRequest(String queueArn, Worker worker, RelaySetup options) {
        CreateEventSourceMappingRequest.Builder esm = CreateEventSourceMappingRequest.builder()
                .eventSourceArn(queueArn)
                .functionName(worker.arn())
                .enabled(true)
                .batchSize(options.batchSize())
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES);
        if (options.maximumConcurrency() != null) {
            esm.scalingConfig(ScalingConfig.builder().maximumConcurrency(options.maximumConcurrency()).build());
        }
        if (options.maximumBatchingWindow() != null) {
            esm.maximumBatchingWindowInSeconds((int) options.maximumBatchingWindow().getSeconds());
        }
        return esm.build();
    }

    private static RelaySetupException rolledBack(RuntimeException e, String step, String workerFunction,
            String relayId, Deque<Runnable> undo) {
        String hint = "";
        if (e instanceof QueueDeletedRecentlyException) {
            hint = " (SQS refuses a queue name for 60 seconds after it was deleted: choose another queueName or "
                    + "wait a minute)";
        } else if (e instanceof QueueNameExistsException) {
            hint = " (a queue of that name exists with other attributes: choose another queueName)";
        }
        List<RuntimeException> rollbackFailures = new ArrayList<>();
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException rollbackFailure) {
                rollbackFailures.add(rollbackFailure);
            }
        }
        String outcome = rollbackFailures.isEmpty() ? "everything it had created was deleted"
                : rollbackFailures.size() + " of the resources it had created could not be deleted (see the suppressed "
                        + "exceptions); they carry the relay's tags, and the janitor removes them";
        RelaySetupException failure = new RelaySetupException("relay setup could not " + step + ": " + describe(e)
                + hint + "; " + outcome, workerFunction, relayId, e);
        rollbackFailures.forEach(failure::addSuppressed);
        return failure;
    }

    private void requireQueueAbsent(String name, String workerFunction, String relayId) {
        try {
            clients.sqs().getQueueUrl(r -> r.queueName(name));
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
            RecursiveLoop current = clients.lambda().getFunctionRecursionConfig(r -> r.functionName(functionArn))
                    .recursiveLoop();
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

    private void allowRecursion(String functionArn, String relayId) {
        RecursiveLoop current = clients.lambda().getFunctionRecursionConfig(r -> r.functionName(functionArn))
                .recursiveLoop();
        if (current != RecursiveLoop.ALLOW) {
            clients.lambda().putFunctionRecursionConfig(r -> r.functionName(functionArn)
                    .recursiveLoop(RecursiveLoop.ALLOW));
            LOG.info("relay {}: set recursion config of {} from {} to Allow", relayId, functionArn, current);
        }
    }

    static String denyInsecureTransportPolicy(Arn functionArn, String queueName) {
        String queueArn = "arn:" + functionArn.partition() + ":sqs:" + functionArn.region() + ":" + functionArn.account()
                + ":" + queueName;
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\","
                + "\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\"" + queueArn + "\","
                + "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
    }

    static String queueName(String functionName, String relayId) {
        String fn = functionName.replaceAll("[^A-Za-z0-9_-]", "-");
        if (fn.length() > 40) {
            fn = fn.substring(0, 40);
        }
        return "relay-" + fn + "-" + relayId;
    }
}
