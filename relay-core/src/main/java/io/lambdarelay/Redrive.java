package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import io.lambdarelay.internal.Queues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Moves a live relay's dead-lettered packets back to its queue. Each packet is passed on as the
 * next hop of its own chain (so a ledger takes it for a new hop, not a fork of the one that
 * failed), and a part the ledger counted as failed is taken back to running first. It receives
 * with long polls, since a short poll may come back empty while the queue holds messages, and
 * stops at the first long poll that returns nothing new. A body that is not a packet of this
 * relay stays in the dead-letter queue. A message leaves the dead-letter queue only after it was
 * sent, so a failure part-way loses nothing. Thread-safe.
 */
final class Redrive {
    private static final Logger LOG = LoggerFactory.getLogger(Redrive.class);
    /** Long-poll wait of each receive: long enough to query every SQS server, short enough to end quickly. */
    static final int WAIT_SECONDS = 1;
    /** How long received messages stay hidden while they are moved. */
    private static final int VISIBILITY_SECONDS = 120;

    private final Clients clients;
    private final QueueFacts facts;
    private final Sender sender;
    private final FanIn fanIn;
    private final int maxPacketBytes;
    private final ValueCodec values;

    Redrive(Clients clients, QueueFacts facts, Sender sender, FanIn fanIn, int maxPacketBytes, ValueCodec values) {
        this.clients = clients;
        this.facts = facts;
        this.sender = sender;
        this.fanIn = fanIn;
        this.maxPacketBytes = maxPacketBytes;
        this.values = values;
    }

    int run(RelayPacket relay) {
        return run(relay.queueUrl(), relay.relayId());
    }

    /** Moves the relay's dead-lettered packets back to its queue; returns how many. */
    int run(String queueUrl, String relayId) {
        Queues.Info info;
        try {
            info = facts.of(queueUrl);
        } catch (SdkException e) {
            throw new RelayException("redrive could not read relay queue " + queueUrl + " (" + describe(e) + ")", e);
        }
        if (info == null) {
            throw new RelayException("redrive needs a live relay, but its queue " + queueUrl + " is gone; pass the "
                    + "dead-lettered packets to a new relay instead");
        }
        String dlqUrl = info.deadLetterQueueUrl();
        if (dlqUrl == null) {
            throw new RelayException("relay queue " + queueUrl + " has no dead-letter queue (a relay the Node package "
                    + "started?)");
        }
        int moved = 0;
        List<Message> kept = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            while (true) {
                List<Message> msgs = clients.sqs().receiveMessage(r -> r.queueUrl(dlqUrl)
                        .maxNumberOfMessages(Sender.BATCH_ENTRIES).waitTimeSeconds(WAIT_SECONDS)
                        .visibilityTimeout(VISIBILITY_SECONDS)).messages();
                List<Message> fresh = msgs.stream().filter(m -> seen.add(m.messageId())).toList();
                if (fresh.isEmpty()) {
                    break;
                }
                moved += moveBatch(queueUrl, relayId, dlqUrl, fresh, kept);
            }
        } catch (QueueDoesNotExistException e) {
            throw new RelayException("redrive needs both queues of a live relay, but one is gone (" + describe(e)
                    + "); moved " + moved + " message(s) before that", e);
        } catch (SdkException e) {
            throw new RelayException("redrive from " + dlqUrl + " failed after moving " + moved + " message(s) ("
                    + describe(e) + "); run it again", e);
        } finally {
            release(dlqUrl, kept);
        }
        LOG.info("relay {}: moved {} message(s) from the dead-letter queue back to the relay queue{}", relayId,
                moved, kept.isEmpty() ? "" : "; " + kept.size() + " that are not packets of this relay stay");
        return moved;
    }

    private int moveBatch(String queueUrl, String relayId, String dlqUrl, List<Message> msgs, List<Message> kept) {
        List<Message> moving = new ArrayList<>();
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (Message m : msgs) {
            RelayPacket pkt = packetOf(queueUrl, relayId, m);
            if (pkt == null) {
                kept.add(m);
                continue;
            }
            fanIn.reopenPart(pkt);
            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(moving.size()))
                    .messageBody(sender.stamp(pkt, Duration.ZERO).body()).messageGroupId(Sender.groupOf(pkt)).build());
            moving.add(m);
        }
        if (entries.isEmpty()) {
            return 0;
        }
        var sent = clients.sqs().sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
        List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
        for (var ok : sent.successful()) {
            deletes.add(DeleteMessageBatchRequestEntry.builder().id(ok.id())
                    .receiptHandle(moving.get(Integer.parseInt(ok.id())).receiptHandle()).build());
        }
        if (!deletes.isEmpty()) {
            clients.sqs().deleteMessageBatch(r -> r.queueUrl(dlqUrl).entries(deletes));
        }
        if (!sent.failed().isEmpty()) {
            throw new RelayException(sent.failed().size() + " message(s) could not be moved back to "
                    + queueUrl + "; they stay in " + dlqUrl + ", run redrive again");
        }
        return deletes.size();
    }

    /** The message's packet if it is one of this relay's, else {@code null} (it stays where it is). */
    private RelayPacket packetOf(String queueUrl, String relayId, Message m) {
        try {
            RelayPacket pkt = RelayPacket.parse(m.body(), maxPacketBytes, m.messageId(), values);
            // A pool's dead-letter queue holds every pooled relay's packets: only this relay's move.
            boolean ours = queueUrl.equals(pkt.queueUrl()) && (relayId == null || relayId.equals(pkt.relayId()));
            return ours ? pkt : null;
        } catch (InvalidPacketException e) {
            return null;
        }
    }

    /** Makes the messages that stay visible again at once. */
    private void release(String dlqUrl, List<Message> kept) {
        for (int i = 0; i < kept.size(); i += Sender.BATCH_ENTRIES) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (Message m : kept.subList(i, Math.min(kept.size(), i + Sender.BATCH_ENTRIES))) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                        .receiptHandle(m.receiptHandle()).visibilityTimeout(0).build());
            }
            try {
                clients.sqs().changeMessageVisibilityBatch(r -> r.queueUrl(dlqUrl).entries(entries));
            } catch (SdkException e) {
                LOG.debug("could not make {} kept message(s) visible again: {}", entries.size(),
                        e.getClass().getSimpleName());
            }
        }
    }
}
