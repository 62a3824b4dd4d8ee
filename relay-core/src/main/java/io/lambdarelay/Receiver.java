package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads packets out of the SQS records Lambda delivers. Stateless. */
final class Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);

    private Receiver() {
    }

    /** The event's records; an event without any is an error that says what a worker needs. */
    static List<SQSMessage> records(SQSEvent event) {
        Objects.requireNonNull(event, "event");
        List<SQSMessage> records = event.getRecords();
        if (records == null || records.isEmpty()) {
            throw new InvalidPacketException(InvalidPacketException.Reason.EMPTY,
                    "SQS event has no records; is this function invoked by the relay's event-source mapping?", null, null);
        }
        return records;
    }

    /** The packet of a single-record event; more records is a usage error that names the fix. */
    static RelayPacket single(SQSEvent event, int maxPacketBytes, ValueCodec values) {
        List<SQSMessage> records = records(event);
        if (records.size() > 1) {
            throw new IllegalArgumentException("SQS event has " + records.size()
                    + " records; use getRelayPkts(event), or RelayWorker, when the batch size is above 1");
        }
        return read(records.get(0), maxPacketBytes, values);
    }

    /** The packets of every record, in order; the first invalid one fails the call. */
    static List<RelayPacket> all(SQSEvent event, int maxPacketBytes, ValueCodec values) {
        List<RelayPacket> out = new ArrayList<>();
        for (SQSMessage m : records(event)) {
            out.add(read(m, maxPacketBytes, values));
        }
        return out;
    }

    /**
     * One record's packet: size, hardened JSON, control state, and that it came from its own queue;
     * its objects go through the relay's value mapper.
     */
    static RelayPacket read(SQSMessage message, int maxPacketBytes, ValueCodec values) {
        Objects.requireNonNull(message, "message");
        RelayPacket pkt = RelayPacket.parse(message.getBody(), maxPacketBytes, message.getMessageId(), values);
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
}
