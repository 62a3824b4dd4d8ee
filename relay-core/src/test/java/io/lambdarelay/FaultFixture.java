package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.local.Delivery;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.faults.InjectedFault;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The world of the fault-model tests: a {@link LocalAws} with virtual time and manual delivery (the
 * test delivers each batch), its {@link Faults} for what goes wrong, the relay on its clients and
 * clock, and a worker whose units move that clock. A fault at a unit is a rule on the fault point
 * {@code "Unit"} that every unit passes, with {@link #unitsOf(int)} as its target; a fault in the
 * end hook, a rule on {@code "Complete"}.
 */
final class FaultFixture {
    static final String WORKER = "w";
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    final LocalAws aws;
    /** The faults in front of the relay's clients, on the virtual clock. */
    final Faults faults;
    final Clock clock;
    final InMemoryRelayLedger ledger;
    /** A relay with the ledger. */
    final Relay relay;
    /** A relay without a ledger, on the same clients. */
    final Relay plain;
    private final AtomicReference<RelayWorker> workerCode;
    /** Faults injected before this test: the LocalAws serves the whole class. */
    private final int injectedBefore;

    /** Whether the test's relays run in the worker's pool (pooled mode) instead of on queues of their own. */
    final boolean pooled;

    FaultFixture(LocalAws aws, AtomicReference<RelayWorker> workerCode) {
        this(aws, workerCode, false);
    }

    FaultFixture(LocalAws aws, AtomicReference<RelayWorker> workerCode, boolean pooled) {
        this.pooled = pooled;
        this.injectedBefore = aws.faults().injected().size();
        this.aws = aws;
        this.faults = aws.faults();
        this.clock = aws.clock();
        this.ledger = new InMemoryRelayLedger(clock);
        this.workerCode = workerCode;
        this.relay = relay(ledger);
        this.plain = relay(null);
    }

    Relay relay(RelayLedger l) {
        return Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(clock).ledger(l)
                .beforeUnit(p -> faults.point("Unit", unitsOf(p.part())))
                .build();
    }

    /** The fault point target of a part's units: a rule with it acts on that part only. */
    static String unitsOf(int part) {
        return "part=" + part + ";";
    }

    /** Every unit of the part fails with an exception. */
    Faults.Injection failUnitsOf(int part) {
        return faults.on("Unit").target(unitsOf(part)).fail(new IllegalStateException("a unit of part " + part
                + " fails"));
    }

    /** Every invocation that runs a unit of the part dies at it, as at its timeout. */
    Faults.Injection killUnitsOf(int part) {
        return faults.on("Unit").target(unitsOf(part)).killInvocationBefore();
    }

    /** {@return the faults of a kind injected in this test} */
    List<InjectedFault> injected(InjectedFault.Kind kind) {
        List<InjectedFault> all = faults.injected();
        return all.subList(injectedBefore, all.size()).stream().filter(i -> i.kind() == kind).toList();
    }

    /** Moves the virtual clock, as time passing. */
    void advance(Duration d) {
        aws.advanceTime(d);
    }

    /** The worker the function runs from now on. */
    <W extends RelayWorker> W use(W worker) {
        workerCode.set(worker);
        return worker;
    }

    /** The options in the test's mode. */
    RelaySetup options(RelaySetup options) {
        return pooled ? options.toBuilder().pooled(true).build() : options;
    }

    /** Sets a relay up in the test's mode, with the default options. */
    RelayPacket setup(Relay relay) {
        return setup(relay, RelaySetup.defaults());
    }

    /** Sets a relay up in the test's mode: on queues and a mapping of its own, or in the worker's pool. */
    RelayPacket setup(Relay relay, RelaySetup options) {
        return relay.setup(null, WORKER, pooled ? options.toBuilder().pooled(true).build() : options);
    }

    /**
     * Whether the relay is over: its queue is gone; or, pooled, its entry in the ledger says so
     * (or, with no entry, none of its packets is left in the pool), the pool staying.
     */
    boolean over(RelayPacket pkt) {
        if (!pooled) {
            return !exists(pkt.queueUrl());
        }
        return exists(pkt.queueUrl()) && ledger.pooledRelay(pkt.relayId()).map(p -> p.control().over())
                .orElseGet(() -> held(pkt.queueUrl()) == 0);
    }

    /**
     * Whether the relay is still there, not torn down: its queue exists; or, pooled, its entry in
     * the ledger (if it has one yet) is not over.
     */
    boolean stillThere(RelayPacket pkt) {
        return exists(pkt.queueUrl()) && (!pooled || ledger.pooledRelay(pkt.relayId()).map(p -> !p.control().over())
                .orElse(true));
    }

    /** The name of the relay's queue (in pooled mode the pool's), for faults scoped by queue name. */
    static String queueOf(RelayPacket pkt) {
        return pkt.queueUrl().substring(pkt.queueUrl().lastIndexOf('/') + 1);
    }

    /** Whether nothing is left but, pooled, the pool: no queue and no mapping, or the pool's two queues and mapping. */
    boolean nothingLeftButThePool() {
        return queueUrls().size() == (pooled ? 2 : 0) && mappings().size() == (pooled ? 1 : 0);
    }

    /** Whether the relay's dead-letter queue holds nothing: gone with the relay, or, pooled, the pool's empty. */
    boolean deadLettersGone(RelayPacket pkt) {
        return pooled ? held(dlq(pkt)) == 0 : !exists(dlq(pkt));
    }

    /** Whether no relay's own mapping is left: none at all, or, pooled, only the pool's. */
    boolean noRelayMappingLeft() {
        return mappings().size() == (pooled ? 1 : 0);
    }

    /** One delivery from the relay's queue by its mapping (null: nothing to deliver). */
    Delivery deliver(RelayPacket pkt) {
        return aws.deliver(pkt.queueUrl());
    }

    /** Deliveries until there is nothing to deliver, at most {@code max}. */
    List<Delivery> deliverAll(RelayPacket pkt, int max) {
        return aws.deliverAll(pkt.queueUrl(), max);
    }

    /** The context of an invocation of the worker that starts now, for a test that calls the handler itself. */
    LocalContext context() {
        return LocalContext.builder().functionName(WORKER).timeout(TIMEOUT).clock(clock).build();
    }

    /** The uuids of the event-source mappings there are. */
    List<String> mappings() {
        return aws.lambdaClient().listEventSourceMappings(r -> r.functionName(WORKER)).eventSourceMappings().stream()
                .map(EventSourceMappingConfiguration::uuid).toList();
    }

    List<String> queueUrls() {
        return aws.sqsClient().listQueues().queueUrls();
    }

    /** Deletes every mapping and queue and ends every fault, between tests. */
    void deleteEverything() {
        faults.clear();
        for (String uuid : mappings()) {
            aws.lambdaClient().deleteEventSourceMapping(r -> r.uuid(uuid));
        }
        for (String url : queueUrls()) {
            aws.sqsClient().deleteQueue(r -> r.queueUrl(url));
        }
    }

    /** The visible messages of a queue (up to ten), left visible. */
    List<Message> peek(String queueUrl) {
        return aws.sqsClient().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).visibilityTimeout(0))
                .messages();
    }

    /** Receives and deletes every visible message of a queue, with its receive count. */
    List<Message> take(String queueUrl) {
        List<Message> out = new ArrayList<>();
        while (true) {
            List<Message> msgs = aws.sqsClient().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (msgs.isEmpty()) {
                return out;
            }
            for (Message m : msgs) {
                out.add(m);
                aws.sqsClient().deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
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
        m.setAwsRegion(aws.region().id());
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
        return aws.sqsClient().getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** Messages a queue holds (visible, in flight, delayed), exact on the local SQS; -1 if it is gone. */
    long held(String queueUrl) {
        return Queues.countMessages(aws.sqsClient(), queueUrl);
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
     * A worker whose units each take {@link #unitMs} on the virtual clock and count to the
     * packet's {@code target}; its hooks record what they saw. Its end hook passes the fault point
     * {@code "Complete"}.
     */
    static class Worker extends RelayWorker {
        final LocalAws aws;
        volatile long unitMs = 1_000;
        /** Units wait here (both invocations inside a unit at once). */
        volatile CountDownLatch gate;
        final List<Integer> unitParts = Collections.synchronizedList(new ArrayList<>());
        final List<RelayPacket> completed = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> partsCompleted = Collections.synchronizedList(new ArrayList<>());
        final List<RelayFailure> relayFailures = Collections.synchronizedList(new ArrayList<>());
        final List<Exception> failures = Collections.synchronizedList(new ArrayList<>());

        Worker(Relay relay, LocalAws aws) {
            super(relay);
            this.aws = aws;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            CountDownLatch g = gate;
            if (g != null) {
                g.countDown();
                g.await(10, TimeUnit.SECONDS);
            }
            aws.advanceTime(Duration.ofMillis(unitMs));
            unitParts.add(pkt.part());
            long n = pkt.getLong("n", 0) + 1;
            pkt.put("n", n);
            return n < pkt.getLong("target", 1);
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            aws.faults().point("Complete", pkt.relayId());
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
            aws.advanceTime(Duration.ofMillis(millis));
        }
    }
}
