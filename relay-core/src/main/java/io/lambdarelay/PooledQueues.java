package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Pooled mode: every relay of a worker runs on one long-lived queue, dead-letter queue and mapping,
 * its pool, created by a template or, the first time it is missing, by {@link Provisioner}. Setting
 * a relay up makes no call once the pool is known (its URL and redrive policy are cached per pool
 * name); tearing one down records its end in the ledger and deletes nothing. The packet's
 * {@code UUID} names the pool ({@value #UUID_PREFIX} and its queue name), since no mapping is the
 * relay's own. Thread-safe.
 */
final class PooledQueues implements RelayResources {
    private static final Logger LOG = LoggerFactory.getLogger(PooledQueues.class);
    /** The start of a pooled packet's {@code UUID}. */
    static final String UUID_PREFIX = "pool:";

    private final Clients clients;
    private final QueueFacts facts;
    private final Clock clock;
    private final Provisioner provisioner;
    private final RelayLedger ledger;
    private final ValueCodec values;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    /** A pool as setup uses it. */
    record Pool(String queueUrl, String dlqUrl, int queueMaxReceive) {
    }

    PooledQueues(Clients clients, QueueFacts facts, Clock clock, RelayLedger ledger, ValueCodec values) {
        this.clients = clients;
        this.values = values;
        this.facts = facts;
        this.clock = clock;
        this.ledger = ledger;
        this.provisioner = new Provisioner(clients, clock, ledger == null ? null : ledger.describe(), values);
    }

    @Override
    public RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        String relayId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String function = functionName(workerFunction);
        String name = options.poolQueueName() != null ? options.poolQueueName()
                : RelaySetup.defaultPoolQueueName(function);
        Instant now = clock.instant();
        Instant deadline;
        try {
            deadline = now.plus(options.expiresAfter());
        } catch (DateTimeException | ArithmeticException e) {
            throw new RelaySetupException("expiresAfter " + options.expiresAfter() + " puts the relay's deadline beyond "
                    + "the dates Java can hold; choose a shorter one", workerFunction, relayId, e);
        }
        Pool pool = pools.get(name);
        if (pool == null) {
            pool = pools.computeIfAbsent(name, n -> find(n, workerFunction, options, relayId));
        }
        Policy policy = Policy.of(options);
        if (pool.queueMaxReceive() > 0) {
            // The worker dead-letters a packet itself at its last attempt, before the pool's redrive policy would.
            long attempts = Math.max(1, pool.queueMaxReceive() - RelaySetup.REDRIVE_BACKSTOP);
            policy = policy.withMaxReceive(Math.min(policy.maxReceive(), attempts));
        }
        LOG.debug("relay {} set up in pool {}", relayId, name);
        return RelayPacket.create(Header.first(pool.queueUrl(), UUID_PREFIX + name, relayId, now, deadline,
                pool.dlqUrl(), function), policy, values);
    }

    /** The pool of that name: found, or created if allowed. */
    private Pool find(String name, String workerFunction, RelaySetup options, String relayId) {
        String url;
        try {
            url = clients.sqs().getQueueUrl(r -> r.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            if (!options.createPool()) {
                throw new RelaySetupException("pool queue '" + name + "' does not exist; create the pool (its queue, "
                        + "dead-letter queue and mapping to '" + workerFunction + "') with your template, or let setup "
                        + "create it with RelaySetup.builder().createPool(true)", workerFunction, relayId, e);
            }
            Provisioner.PoolQueues created = provisioner.createPool(workerFunction, name, options);
            url = created.queueUrl();
        } catch (SdkException e) {
            throw new RelaySetupException("could not find pool queue '" + name + "' (" + describe(e) + "); the start "
                    + "role needs sqs:GetQueueUrl and sqs:GetQueueAttributes on it", workerFunction, relayId, e);
        }
        Queues.Info info;
        try {
            info = facts.of(url);
        } catch (SdkException e) {
            throw new RelaySetupException("could not read pool queue '" + name + "''s redrive policy (" + describe(e)
                    + ")", workerFunction, relayId, e);
        }
        if (info == null || info.deadLetterQueueUrl() == null) {
            throw new RelaySetupException("pool queue '" + name + "' has no dead-letter queue; give it a redrive policy "
                    + "(maxReceiveCount 10 or more), so that a failing packet is kept, not lost", workerFunction,
                    relayId, null);
        }
        return new Pool(url, info.deadLetterQueueUrl(), info.maxReceiveCount());
    }

    /** The function's name from a name, a {@code name:alias}, or a full or partial ARN. */
    static String functionName(String workerFunction) {
        if (workerFunction == null || workerFunction.isBlank()) {
            throw new IllegalArgumentException("workerFunction must name the worker function");
        }
        String[] p = workerFunction.split(":");
        if (workerFunction.startsWith("arn:")) {
            return p.length > 6 ? p[6] : workerFunction;
        }
        if (p.length >= 3 && "function".equals(p[1])) {
            return p[2]; // 123456789012:function:name[:alias]
        }
        return p[0];
    }

    @Override
    public TearDownResult tearDown(RelayPacket pkt, boolean keepDlq) {
        String relayId = pkt.relayId();
        if (ledger != null && relayId != null && ledger.keepsPooledRelays()) {
            ledger.movePooled(relayId, PooledRelay.Control.ENDED, "", clock.instant(),
                    EnumSet.complementOf(EnumSet.of(PooledRelay.Control.CANCELLED, PooledRelay.Control.ENDED)));
        }
        LOG.info("relay {} ended in pool {} after {} hop(s); the pool stays", relayId, pkt.queueUrl(), pkt.hop());
        // Nothing is deleted: the pool's dead-letter queue, which any of its relays' packets may be in, stays.
        return new TearDownResult(false, false, false, pkt.header().dlqUrl() != null, 0, pkt.header().dlqUrl());
    }

    @Override
    public OptionalLong queued(RelayPacket pkt) {
        return OptionalLong.empty(); // the pool's counts are every relay's
    }

    @Override
    public OptionalLong deadLettered(RelayPacket pkt) {
        return OptionalLong.empty();
    }
}
