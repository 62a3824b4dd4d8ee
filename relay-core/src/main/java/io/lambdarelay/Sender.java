package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import io.lambdarelay.internal.PacketCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Everything a relay sends to SQS: a pass, many passes in batches, a packet to the dead-letter
 * queue, the dead-letter queue's messages back. A pass has one stamping path: it builds the next
 * header as a new value, sends the packet with it, and only then gives the packet that header; a
 * send that fails leaves the packet as it was, with nothing to restore. Thread-safe.
 */
final class Sender {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    /** Entries per SendMessageBatch call, SQS's limit. */
    static final int BATCH_ENTRIES = 10;
    /** Payload per SendMessageBatch call, SQS's limit. */
    static final long BATCH_BYTES = PacketCodec.MAX_SQS_MESSAGE_BYTES;
    private static final int BATCH_ATTEMPTS = 3;

    private final Clients clients;
    private final Clock clock;
    private final int maxPacketBytes;

    Sender(Clients clients, Clock clock, int maxPacketBytes) {
        this.clients = clients;
        this.clock = clock;
        this.maxPacketBytes = maxPacketBytes;
    }

    /** A packet ready to send: its next header and the body that carries it. */
    private record Stamped(RelayPacket packet, Header next, String body, long size) {
        void applied() {
            packet.header(next);
        }
    }

    private Stamped stamp(RelayPacket pkt, Duration delay) {
        Instant notBefore = delay.compareTo(Relay.MAX_SQS_DELAY) > 0 ? clock.instant().plus(delay) : null;
        Header next = pkt.header().next(notBefore);
        String body = pkt.toJson(next, pkt.hopState());
        long size = PacketCodec.utf8Length(body);
        if (size > maxPacketBytes) {
            throw new PacketTooLargeException(size, maxPacketBytes, null);
        }
        return new Stamped(pkt, next, body, size);
    }

    String pass(RelayPacket pkt, Duration delay) {
        Objects.requireNonNull(pkt, "pkt");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        long seconds = Math.min(Relay.MAX_SQS_DELAY.getSeconds(), delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0));
        Stamped s = stamp(pkt, delay);
        try {
            String messageId = clients.sqs().sendMessage(r -> r.queueUrl(pkt.queueUrl()).messageBody(s.body())
                    .delaySeconds((int) seconds)).messageId();
            s.applied();
            LOG.debug("relay {} passed hop {} ({} bytes, delay {} s) as message {}", pkt.relayId(), pkt.hop(), s.size(),
                    seconds, messageId);
            return messageId;
        } catch (QueueDoesNotExistException e) {
            throw new RelayPassException("relay queue " + pkt.queueUrl() + " does not exist: the relay was torn down "
                    + "or removed as expired", pkt.queueUrl(), pkt.relayId(), e);
        } catch (SdkException e) {
            throw new RelayPassException("SendMessage to relay queue " + pkt.queueUrl() + " failed (" + describe(e)
                    + "); the packet was not passed and can be passed again", pkt.queueUrl(), pkt.relayId(), e);
        }
    }

    /** Passes a deferred packet on again if it is not due yet, and says whether it did. */
    boolean deferIfNotDue(RelayPacket pkt) {
        Instant notBefore = pkt.header().notBefore();
        if (notBefore == null) {
            return false;
        }
        Duration left = Duration.between(clock.instant(), notBefore);
        if (left.isNegative() || left.isZero()) {
            pkt.header(pkt.header().withNotBefore(null));
            return false;
        }
        pass(pkt, left);
        return true;
    }

    List<String> passAll(List<RelayPacket> packets) {
        Objects.requireNonNull(packets, "packets");
        if (packets.isEmpty()) {
            return List.of();
        }
        String queueUrl = packets.get(0).queueUrl();
        List<Stamped> stamped = new ArrayList<>(packets.size());
        for (RelayPacket p : packets) {
            Objects.requireNonNull(p, "packets must not contain null");
            if (!p.queueUrl().equals(queueUrl)) {
                throw new IllegalArgumentException("relayPassAll takes packets of one relay queue; got " + queueUrl
                        + " and " + p.queueUrl());
            }
            stamped.add(stamp(p, Duration.ZERO));
        }
        int n = stamped.size();
        String[] ids = new String[n];
        List<Integer> refused = new ArrayList<>();
        int calls = 0;
        for (int start = 0, end; start < n; start = end) {
            end = start;
            long bytes = 0;
            while (end < n && end - start < BATCH_ENTRIES && bytes + stamped.get(end).size() <= BATCH_BYTES) {
                bytes += stamped.get(end++).size();
            }
            List<Integer> pending = new ArrayList<>();
            for (int i = start; i < end; i++) {
                pending.add(i);
            }
            for (int attempt = 1; !pending.isEmpty() && attempt <= BATCH_ATTEMPTS; attempt++) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i : pending) {
                    entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                            .messageBody(stamped.get(i).body()).build());
                }
                SendMessageBatchResponse resp;
                try {
                    calls++;
                    resp = clients.sqs().sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                } catch (SdkException e) {
                    List<Integer> unsent = new ArrayList<>(refused);
                    unsent.addAll(pending);
                    for (int i = end; i < n; i++) {
                        unsent.add(i);
                    }
                    throw partial(packets, ids, unsent, e);
                }
                resp.successful().forEach(ok -> {
                    int i = Integer.parseInt(ok.id());
                    ids[i] = ok.messageId();
                    stamped.get(i).applied();
                });
                List<Integer> retry = new ArrayList<>();
                for (var failed : resp.failed()) {
                    (Boolean.TRUE.equals(failed.senderFault()) ? refused : retry).add(Integer.parseInt(failed.id()));
                }
                pending = retry;
            }
            refused.addAll(pending);
        }
        if (!refused.isEmpty()) {
            throw partial(packets, ids, refused, null);
        }
        LOG.debug("relay {} passed {} packet(s) in {} batch call(s)", packets.get(0).relayId(), n, calls);
        return List.of(ids);
    }

    private static PartialPassException partial(List<RelayPacket> packets, String[] ids, List<Integer> unsentIndexes,
            SdkException cause) {
        List<RelayPacket> unsent = unsentIndexes.stream().sorted().distinct().map(packets::get).toList();
        int sent = (int) Arrays.stream(ids).filter(Objects::nonNull).count();
        RelayPacket first = packets.get(0);
        return new PartialPassException(unsent.size() + " of " + packets.size() + " packet(s) could not be passed"
                + (cause == null ? " (SQS refused them)" : " (" + describe(cause) + ")")
                + "; pass exception.unsent() again", first.queueUrl(), first.relayId(), sent, unsent, cause);
    }

    /**
     * Sends a received body, unchanged, to the relay's dead-letter queue with the reason as message
     * attributes (the exception's type only: its message may hold packet contents).
     *
     * @return whether it was sent; if not (no DLQ, or SQS failed) the queue's redrive policy moves it
     */
    boolean deadLetter(RelayPacket pkt, String body, Exception reason, long receiveCount) {
        String dlqUrl = pkt.header().dlqUrl();
        if (dlqUrl == null) {
            return false;
        }
        try {
            clients.sqs().sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageAttributes(Map.of(
                    Relay.ATTR_ERROR, MessageAttributeValue.builder().dataType("String")
                            .stringValue(reason.getClass().getName()).build(),
                    Relay.ATTR_RECEIVES, MessageAttributeValue.builder().dataType("Number")
                            .stringValue(Long.toString(receiveCount)).build())));
            LOG.warn("relay {}: part {} hop {} failed {} time(s) with {}; moved to the dead-letter queue",
                    pkt.relayId(), pkt.part(), pkt.hop(), receiveCount, reason.getClass().getName());
            return true;
        } catch (SdkException e) {
            LOG.warn("relay {}: could not dead-letter part {} hop {} ({}); the redrive policy will move it",
                    pkt.relayId(), pkt.part(), pkt.hop(), e.getClass().getSimpleName());
            return false;
        }
    }

    /** Moves the dead-letter queue's messages back to the relay queue, and says how many. */
    int redrive(RelayPacket pkt) {
        String dlqUrl = pkt.header().dlqUrl();
        if (dlqUrl == null) {
            throw new RelayException("relay packet names no dead-letter queue (a relay the Node package started?)");
        }
        int moved = 0;
        try {
            while (true) {
                List<Message> msgs = clients.sqs().receiveMessage(r -> r.queueUrl(dlqUrl)
                        .maxNumberOfMessages(BATCH_ENTRIES).waitTimeSeconds(0).visibilityTimeout(60)).messages();
                if (msgs.isEmpty()) {
                    break;
                }
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i = 0; i < msgs.size(); i++) {
                    entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                            .messageBody(msgs.get(i).body()).build());
                }
                var sent = clients.sqs().sendMessageBatch(r -> r.queueUrl(pkt.queueUrl()).entries(entries));
                List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
                for (var ok : sent.successful()) {
                    deletes.add(DeleteMessageBatchRequestEntry.builder().id(ok.id())
                            .receiptHandle(msgs.get(Integer.parseInt(ok.id())).receiptHandle()).build());
                }
                if (!deletes.isEmpty()) {
                    clients.sqs().deleteMessageBatch(r -> r.queueUrl(dlqUrl).entries(deletes));
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
}
