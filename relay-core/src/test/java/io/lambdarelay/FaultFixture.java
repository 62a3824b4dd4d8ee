package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.MutableClock;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import io.lambdarelay.testing.SteppedMapping;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The world of the fault-model tests: the embedded SQS and a {@link RecordingLambda}, both behind
 * relay-local's {@link Faults}, one {@link MutableClock} for the relay,
 * the ledger and every invocation's remaining time, and a worker whose units move that clock.
 */
final class FaultFixture {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final String WORKER = "w";
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    final SqsServer sqs;
    /** The faults in front of the relay's clients, on the fixture's clock. */
    final Faults faults;
    final RecordingLambda lambda = new RecordingLambda(SqsServer.REGION).function(WORKER, (int) TIMEOUT.toSeconds());
    final MutableClock clock = new MutableClock(NOW);
    final InMemoryRelayLedger ledger = new InMemoryRelayLedger(clock);
    /** A relay with the ledger. */
    final Relay relay;
    /** A relay without a ledger, on the same clients. */
    final Relay plain;

    FaultFixture(SqsServer sqs) {
        this.sqs = sqs;
        this.faults = Faults.create(clock);
        this.relay = relay(ledger);
        this.plain = relay(null);
    }

    Relay relay(RelayLedger l) {
        return Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(faults.lambda(lambda)).clock(clock).ledger(l)
                .build();
    }

    /** The context of an invocation of the worker that starts now on the fixture's clock. */
    LocalContext context() {
        return LocalContext.builder().functionName(WORKER).timeout(TIMEOUT).clock(clock).build();
    }

    SteppedMapping mapping(RelayPacket pkt, RelayWorker worker, int batchSize) {
        return new SteppedMapping(sqs.client(), pkt.queueUrl(), worker, this::context, batchSize, clock);
    }

    /** Receives and deletes every visible message of a queue, with its receive count. */
    List<Message> take(String queueUrl) {
        List<Message> out = new ArrayList<>();
        while (true) {
            List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (msgs.isEmpty()) {
                return out;
            }
            for (Message m : msgs) {
                out.add(m);
                sqs.client().deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    /** The taken message whose packet is part {@code part} (of kind WORK). */
    static Message part(List<Message> msgs, int part) {
        return msgs.stream().filter(m -> {
            RelayPacket p = RelayPacket.fromJson(m.body());
            return p.part() == part && p.hopState().kind() == HopState.Kind.WORK;
        }).findFirst().orElseThrow(() -> new AssertionError("no message of part " + part));
    }

    /** A one-record event of a message from a queue, at a receive count. */
    SQSEvent event(String queueUrl, String messageId, String body, long receiveCount) {
        SQSMessage m = new SQSMessage();
        m.setMessageId(messageId);
        m.setReceiptHandle("rh-" + messageId + "-" + receiveCount);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        m.setEventSourceArn(arn(queueUrl));
        m.setAwsRegion(SqsServer.REGION);
        m.setAttributes(new LinkedHashMap<>(Map.of("ApproximateReceiveCount", Long.toString(receiveCount))));
        m.setMessageAttributes(new LinkedHashMap<>());
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(List.of(m)));
        return event;
    }

    SQSEvent event(String queueUrl, Message m, long receiveCount) {
        return event(queueUrl, m.messageId(), m.body(), receiveCount);
    }

    String arn(String queueUrl) {
        return sqs.client().getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** Messages a queue holds (visible, in flight, delayed), read exactly; -1 if it is gone. */
    long held(String queueUrl) {
        try {
            return sqs.messagesHeld(queueUrl);
        } catch (QueueDoesNotExistException e) {
            return -1;
        }
    }

    boolean exists(String queueUrl) {
        return held(queueUrl) >= 0;
    }

    static String dlq(RelayPacket pkt) {
        return pkt.deadLetterQueueUrl().orElseThrow();
    }

    /** A packet body with its {@code stats} changed. */
    static String withStats(String body, UnaryOperator<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(body);
            change.apply((ObjectNode) root.get("stats"));
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A worker whose units each take {@link #unitMs} on the fixture's clock and count to the
     * packet's {@code target}; its hooks record what they saw, and a test turns faults on.
     */
    static class Worker extends RelayWorker {
        final MutableClock clock;
        volatile long unitMs = 1_000;
        /** Units of this part throw. */
        volatile Integer failPart;
        /** Units of this part die as a killed invocation. */
        volatile Integer killPart;
        /** The next onComplete dies as a killed invocation. */
        volatile boolean killNextHook;
        /** Units wait here (both invocations inside a unit at once). */
        volatile CountDownLatch gate;
        final List<Integer> unitParts = Collections.synchronizedList(new ArrayList<>());
        final List<RelayPacket> completed = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> partsCompleted = Collections.synchronizedList(new ArrayList<>());
        final List<RelayFailure> relayFailures = Collections.synchronizedList(new ArrayList<>());
        final List<Exception> failures = Collections.synchronizedList(new ArrayList<>());

        Worker(Relay relay, MutableClock clock) {
            super(relay);
            this.clock = clock;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            if (Integer.valueOf(pkt.part()).equals(killPart)) {
                throw new SteppedMapping.Killed();
            }
            if (Integer.valueOf(pkt.part()).equals(failPart)) {
                throw new IllegalStateException("a unit of part " + pkt.part() + " fails");
            }
            CountDownLatch g = gate;
            if (g != null) {
                g.countDown();
                g.await(10, TimeUnit.SECONDS);
            }
            clock.advance(Duration.ofMillis(unitMs));
            unitParts.add(pkt.part());
            long n = pkt.getLong("n", 0) + 1;
            pkt.put("n", n);
            return n < pkt.getLong("target", 1);
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            if (killNextHook) {
                killNextHook = false;
                throw new SteppedMapping.Killed();
            }
            completed.add(pkt.copy());
        }

        @Override
        protected void onPartComplete(RelayPacket pkt, Context context) {
            partsCompleted.add(pkt.part());
        }

        @Override
        protected void onRelayFailed(RelayPacket pkt, RelayFailure failure, Context context) {
            relayFailures.add(failure);
        }

        @Override
        protected void onFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
            failures.add(error);
        }

        @Override
        protected void pause(long millis) {
            clock.advance(Duration.ofMillis(millis));
        }
    }
}
