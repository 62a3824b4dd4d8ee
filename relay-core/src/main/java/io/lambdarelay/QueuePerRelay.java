package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.internal.RelayTeardown;
import java.time.Clock;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A queue, a dead-letter queue and an event-source mapping of its own for every relay: set up by
 * {@link Provisioner}, torn down by the sequence the janitor shares ({@link RelayTeardown}).
 * Thread-safe.
 */
final class QueuePerRelay implements RelayResources {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePerRelay.class);

    private final Clients clients;
    private final QueueFacts facts;
    private final Clock clock;
    private final Provisioner provisioner;

    QueuePerRelay(Clients clients, QueueFacts facts, Clock clock, String ledgerTag, ValueCodec values) {
        this.clients = clients;
        this.facts = facts;
        this.clock = clock;
        this.provisioner = new Provisioner(clients, clock, ledgerTag, values);
    }

    @Override
    public RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        return provisioner.setup(context, workerFunction, options);
    }

    @Override
    public TearDownResult tearDown(RelayPacket pkt, boolean keepDlq) {
        Header h = pkt.header();
        RelayTeardown.Result r = RelayTeardown.run(clients.sqs(), clients.lambda(), h.queueUrl(), h.mappingUuid(),
                RelaySetup.DLQ_SUFFIX, keepDlq, clock.instant(), (step, e) -> new TearDownException("could not " + step + " (" + describe(e)
                        + "); call tearDown again, or let the janitor finish it", h.queueUrl(), e));
        if (r.dlqKept()) {
            LOG.warn("relay {}: dead-letter queue {} keeps {}failed packet(s); inspect or redrive them, then delete it",
                    h.relayId(), r.dlqUrl(), r.dlqMessages() > 0 ? r.dlqMessages() + " " : "");
        }
        LOG.info("relay {} torn down after {} hop(s): mapping {}, queue {}, dlq {}", h.relayId(), h.hop(),
                r.mappingDeleted() ? "deleted" : "already gone", r.queueDeleted() ? "deleted" : "already gone",
                r.dlqDeleted() ? "deleted" : r.dlqKept() ? "kept" : "none");
        return new TearDownResult(r.mappingDeleted(), r.queueDeleted(), r.dlqDeleted(), r.dlqKept(), r.dlqMessages(),
                r.dlqUrl());
    }

    @Override
    public OptionalLong queued(RelayPacket pkt) {
        return count(pkt.queueUrl(), pkt);
    }

    @Override
    public OptionalLong deadLettered(RelayPacket pkt) {
        Queues.Info info;
        try {
            info = facts.of(pkt.queueUrl());
        } catch (SdkException e) {
            throw new TearDownException("could not read the redrive policy of queue " + pkt.queueUrl() + " ("
                    + describe(e) + ")", pkt.queueUrl(), e);
        }
        return info == null || info.deadLetterQueueUrl() == null ? OptionalLong.empty()
                : count(info.deadLetterQueueUrl(), pkt);
    }

    private OptionalLong count(String queueUrl, RelayPacket pkt) {
        try {
            long n = Queues.countMessages(clients.sqs(), queueUrl);
            return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
        } catch (SdkException | NumberFormatException e) {
            throw new TearDownException("could not count the messages of queue " + queueUrl + " (" + describe(e) + ")",
                    pkt.queueUrl(), e);
        }
    }
}
