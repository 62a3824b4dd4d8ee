package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.internal.RelayTeardown;
import java.time.Clock;
import java.util.List;
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
    private final Provisioner provisioner;

    QueuePerRelay(Clients clients, Clock clock) {
        this.clients = clients;
        this.provisioner = new Provisioner(clients, clock);
    }

    @Override
    public RelayPacket setup(Context context, String workerFunction, RelaySetup options) {
        return provisioner.setup(context, workerFunction, options);
    }

    @Override
    public TearDownResult tearDown(RelayPacket pkt) {
        Header h = pkt.header();
        RelayTeardown.Result r = RelayTeardown.run(clients.sqs(), clients.lambda(), List.of(h.mappingUuid()),
                h.queueUrl(), h.dlqUrl(), (step, e) -> new TearDownException("could not " + step + " (" + describe(e)
                        + "); call tearDown again", h.queueUrl(), e));
        if (r.dlqMessages() > 0) {
            LOG.warn("relay {}: dead-letter queue {} keeps {} failed packet(s); inspect or redrive them, then delete it",
                    h.relayId(), h.dlqUrl(), r.dlqMessages());
        }
        LOG.info("relay {} torn down after {} hop(s): mapping {}, queue {}, dlq {}", h.relayId(), h.hop(),
                r.mappingDeleted() ? "deleted" : "already gone", r.queueDeleted() ? "deleted" : "already gone",
                h.dlqUrl() == null ? "none" : r.dlqMessages() > 0 ? "kept" : r.dlqDeleted() ? "deleted"
                        : "already gone");
        return new TearDownResult(r.mappingDeleted(), r.queueDeleted(), r.dlqDeleted(), r.dlqMessages(), h.dlqUrl());
    }

    @Override
    public OptionalLong queued(RelayPacket pkt) {
        return count(pkt.queueUrl(), pkt);
    }

    @Override
    public OptionalLong deadLettered(RelayPacket pkt) {
        String dlqUrl = pkt.header().dlqUrl();
        return dlqUrl == null ? OptionalLong.empty() : count(dlqUrl, pkt);
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
