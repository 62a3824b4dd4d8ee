package io.lambdarelay.local.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.pattern.Patterns;
import org.elasticmq.BinaryMessageAttribute;
import org.elasticmq.DefaultVisibilityTimeout$;
import org.elasticmq.DeliveryReceipt;
import org.elasticmq.MessageData;
import org.elasticmq.MillisVisibilityTimeout;
import org.elasticmq.QueueData;
import org.elasticmq.NumberMessageAttribute;
import org.elasticmq.OnDateTimeReceived;
import org.elasticmq.Received;
import org.elasticmq.StrictSQSLimits$;
import org.elasticmq.StringMessageAttribute;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.actor.queue.OperationSuccessful$;
import org.elasticmq.actor.queue.QueueEvent;
import org.elasticmq.msg.DeleteMessage;
import org.elasticmq.msg.GetQueueData;
import org.elasticmq.msg.UpdateVisibilityTimeout;
import org.elasticmq.msg.LookupQueue;
import org.elasticmq.msg.ReceiveMessages;
import org.elasticmq.rest.sqs.MD5Util$;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.util.NowProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.concurrent.Await;
import scala.jdk.javaapi.CollectionConverters;
import scala.util.Either;

/**
 * Embedded ElasticMQ on a loopback port, in an actor system of its own whose queue events feed a
 * {@link QueueActivity}.
 *
 * <p>Owning the actor system lets {@link #close()} end it at once: ElasticMQ's own shutdown gives
 * open requests up to a minute. Dead letters (messages to the actors of deleted queues) are not
 * logged, and the system's threads are daemons, so a forgotten {@code close()} does not keep a
 * JVM alive. Thread-safe.
 */
public final class EmbeddedSqs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSqs.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(20);
    private static final List<String> HELD = List.of("ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed");
    private static final String SETTINGS = String.join("\n",
            "pekko.log-dead-letters = off",
            "pekko.log-dead-letters-during-shutdown = off",
            "pekko.daemonic = on",
            "pekko.jvm-shutdown-hooks = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "pekko.coordinated-shutdown.terminate-actor-system = on",
            // Two cores are common in CI; a dozen dispatcher threads only add start-up time.
            "pekko.actor.default-dispatcher.fork-join-executor.parallelism-min = 2",
            "pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = 4");

    private final ActorSystem system;
    private final SQSRestServer server;
    private final URI endpoint;
    private final QueueActivity activity;
    private final ActorRef queueManager;
    private final String region;
    private final String accountId;
    /** What the queues date visibility by: the system clock, or a virtual one. */
    private final java.time.Clock clock;
    /** The virtual send time of each message, which ElasticMQ dates by the system clock. */
    private final SentTimes sentTimes;

    /**
     * Starts ElasticMQ.
     *
     * @param region the region of queue ARNs
     * @param accountId the account id of queue URLs and ARNs
     * @param port the loopback port to listen on, 0 for any free one
     * @param activity receives the server's queue events
     * @throws RuntimeException when the server cannot start, e.g. the port is taken
     */
    public EmbeddedSqs(String region, String accountId, int port, QueueActivity activity) {
        this(region, accountId, port, activity, null);
    }

    /**
     * Starts ElasticMQ with the clock its queues date visibility timeouts and receives by. (New
     * messages' delays ElasticMQ dates by the system clock whatever this says; see
     * {@link HeldSends}.)
     *
     * @param region the region of queue ARNs
     * @param accountId the account id of queue URLs and ARNs
     * @param port the loopback port to listen on, 0 for any free one
     * @param activity receives the server's queue events
     * @param clock the clock, or {@code null} for the system's
     * @throws RuntimeException when the server cannot start, e.g. the port is taken
     */
    public EmbeddedSqs(String region, String accountId, int port, QueueActivity activity, java.time.Clock clock) {
        Config config = ConfigFactory.parseString(SETTINGS).withFallback(ConfigFactory.load());
        this.system = ActorSystem.create("elasticmq", config);
        this.activity = activity;
        this.region = region;
        this.accountId = accountId;
        this.clock = clock == null ? java.time.Clock.systemUTC() : clock;
        this.sentTimes = new SentTimes(clock);
        try {
            QueueActivity events = activity;
            SentTimes sent = sentTimes;
            ActorRef listener = system.actorOf(Props.create(Listener.class, () -> new Listener(events, sent)),
                    "relay-local-queue-events");
            // The queue manager ElasticMQ's builder would create, made here so that the pollers can
            // reach the queues without HTTP.
            this.queueManager = system.actorOf(Props.create(QueueManagerActor.class,
                    () -> new QueueManagerActor(clock == null ? new NowProvider() : new ClockNowProvider(clock),
                            StrictSQSLimits$.MODULE$, Option.apply(listener))),
                    "relay-local-queue-manager");
            this.server = SQSRestServerBuilder.withActorSystem(system)
                    .withQueueManagerActor(queueManager)
                    .withPort(port)
                    .withInterface("127.0.0.1")
                    .withAWSRegion(region)
                    .withAWSAccountId(accountId)
                    .start();
            this.endpoint = URI.create("http://127.0.0.1:" + server.waitUntilStarted().localAddress().getPort());
        } catch (RuntimeException e) {
            terminate();
            throw e;
        }
    }

    /** {@return the SQS endpoint} */
    public URI endpoint() {
        return endpoint;
    }

    /** {@return what the server reports about its queues} */
    public QueueActivity activity() {
        return activity;
    }

    /**
     * Receives up to {@code max} messages of a queue as {@code ReceiveMessage} with every
     * attribute would, with the queue's own visibility timeout, but by asking the queue's actor
     * directly: an event-source mapping's poller needs no HTTP round trip, and each saved round
     * trip shortens every relay hop.
     *
     * @param queueName the queue
     * @param max 1 to 10
     * @return the messages; empty when none is visible or the queue does not exist
     */
    public List<ReceivedMessage> receive(String queueName, int max) {
        ActorRef queue = lookup(queueName);
        if (queue == null) {
            return List.of();
        }
        scala.collection.immutable.List<MessageData> received = ask(queue, new ReceiveMessages(
                DefaultVisibilityTimeout$.MODULE$, max, Option.empty(), Option.empty()), "ReceiveMessage", queueName);
        List<ReceivedMessage> messages = new ArrayList<>(received.size());
        for (MessageData m : CollectionConverters.asJava(received)) {
            messages.add(toReceived(queueName, m));
        }
        return messages;
    }

    /**
     * Receives up to {@code max} visible messages, hidden for {@code visibility} instead of the
     * queue's default (the fair-queue stage holds them so, until it hands them out).
     *
     * @param queueName the queue
     * @param max how many at most
     * @param visibility how long they stay hidden
     * @return the messages; empty when none is visible or the queue does not exist
     */
    public List<ReceivedMessage> receive(String queueName, int max, java.time.Duration visibility) {
        ActorRef queue = lookup(queueName);
        if (queue == null) {
            return List.of();
        }
        scala.collection.immutable.List<MessageData> received = ask(queue, new ReceiveMessages(
                MillisVisibilityTimeout.apply(visibility.toMillis()), max, Option.empty(), Option.empty()),
                "ReceiveMessage", queueName);
        List<ReceivedMessage> messages = new ArrayList<>(received.size());
        for (MessageData m : CollectionConverters.asJava(received)) {
            messages.add(toReceived(queueName, m));
        }
        return messages;
    }

    /**
     * Hides received messages for {@code visibility} from now, as {@code ChangeMessageVisibility}
     * would; {@code null} means the queue's default visibility timeout.
     *
     * @param queueName the queue
     * @param receiptHandles the handles
     * @param visibility how long, or null for the queue's default
     */
    public void changeVisibility(String queueName, List<String> receiptHandles, java.time.Duration visibility) {
        ActorRef queue = lookup(queueName);
        if (queue == null || receiptHandles.isEmpty()) {
            return;
        }
        long millis = visibility != null ? visibility.toMillis()
                : ((QueueData) ask(queue, GetQueueData.apply(), "GetQueueAttributes", queueName))
                        .defaultVisibilityTimeout().millis();
        for (String handle : receiptHandles) {
            ask(queue, UpdateVisibilityTimeout.apply(new DeliveryReceipt(handle), MillisVisibilityTimeout.apply(millis)),
                    "ChangeMessageVisibility", queueName);
        }
    }

    /**
     * Deletes received messages by their receipt handles, as {@code DeleteMessageBatch} would.
     *
     * @param queueName the queue
     * @param receiptHandles the handles
     * @return how many could not be deleted: their handle had expired (the visibility timeout ran
     *     out during the invocation), or the queue is gone
     */
    public int delete(String queueName, List<String> receiptHandles) {
        ActorRef queue = lookup(queueName);
        if (queue == null) {
            return receiptHandles.size();
        }
        int failed = 0;
        for (String handle : receiptHandles) {
            Either<?, ?> result = ask(queue, new DeleteMessage(new DeliveryReceipt(handle)), "DeleteMessage",
                    queueName);
            if (result.isLeft()) {
                failed++;
            }
        }
        return failed;
    }

    /**
     * The messages a queue holds (visible, in flight, delayed), asked of its actor directly.
     *
     * @param queueName the queue
     * @return the count; empty if the queue does not exist (or is being deleted)
     */
    public java.util.OptionalLong messagesHeld(String queueName) {
        try {
            ActorRef queue = lookup(queueName);
            if (queue == null) {
                return java.util.OptionalLong.empty();
            }
            org.elasticmq.QueueStatistics st = ask(queue,
                    org.elasticmq.msg.GetQueueStatistics.apply(clock.millis()), "GetQueueStatistics",
                    queueName);
            return java.util.OptionalLong.of(st.approximateNumberOfVisibleMessages()
                    + st.approximateNumberOfInvisibleMessages() + st.approximateNumberOfMessagesDelayed());
        } catch (IllegalStateException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /**
     * {@return whether a queue of that name exists now}, asked of the queue manager directly
     *
     * @param queueName the queue name
     */
    public boolean queueExists(String queueName) {
        try {
            return lookup(queueName) != null;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /**
     * The messages held (visible, in flight, delayed) by every queue that some queue's redrive
     * policy names as its dead-letter queue, asked of the queue actors directly: a queue deleted
     * meanwhile is left out quietly, where a request through the HTTP layer would make ElasticMQ
     * log an error for it.
     *
     * @return messages held, by dead-letter queue name
     */
    public Map<String, Long> deadLetterQueueDepths() {
        scala.collection.immutable.Seq<String> names = ask(queueManager, org.elasticmq.msg.ListQueues.apply(),
                "ListQueues", "*");
        java.util.Set<String> dlqs = new java.util.TreeSet<>();
        for (String name : CollectionConverters.asJava(names)) {
            try {
                ActorRef queue = lookup(name);
                if (queue != null) {
                    org.elasticmq.QueueData data = ask(queue, org.elasticmq.msg.GetQueueData.apply(), "GetQueueData",
                            name);
                    if (data.deadLettersQueue().isDefined()) {
                        dlqs.add(data.deadLettersQueue().get().name());
                    }
                }
            } catch (IllegalStateException e) {
                // deleted meanwhile
            }
        }
        Map<String, Long> depths = new java.util.TreeMap<>();
        for (String dlq : dlqs) {
            try {
                messagesHeld(dlq).ifPresent(n -> depths.put(dlq, n));
            } catch (IllegalStateException e) {
                // deleted meanwhile
            }
        }
        return depths;
    }

    /**
     * Adds up the three approximate counts in a queue's attributes, as {@code GetQueueAttributes}
     * returned them: the messages the queue holds.
     *
     * @param attributes the attributes, by name
     * @return visible plus in flight plus delayed; an absent count counts as 0
     */
    public static long held(Map<String, String> attributes) {
        long held = 0;
        for (String name : HELD) {
            String v = attributes.get(name);
            held += v == null ? 0 : Long.parseLong(v);
        }
        return held;
    }

    private ActorRef lookup(String queueName) {
        Option<ActorRef> queue = ask(queueManager, new LookupQueue(queueName), "GetQueueUrl", queueName);
        return queue.isDefined() ? queue.get() : null;
    }

    @SuppressWarnings("unchecked")
    private static <T> T ask(ActorRef actor, Object message, String operation, String queueName) {
        try {
            return (T) Patterns.ask(actor, message, ASK_TIMEOUT).toCompletableFuture()
                    .get(ASK_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(operation + " on queue " + queueName + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("embedded SQS did not answer " + operation + " on queue " + queueName
                    + ": " + e, e);
        }
    }

    private ReceivedMessage toReceived(String queueName, MessageData m) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("SenderId", "127.0.0.1");
        attributes.put("SentTimestamp", Long.toString(sentTimes.sentAt(queueName, m.id().id(),
                m.created().toInstant().toEpochMilli())));
        attributes.put("ApproximateReceiveCount", Integer.toString(m.statistics().approximateReceiveCount()));
        Received first = m.statistics().approximateFirstReceive();
        attributes.put("ApproximateFirstReceiveTimestamp", Long.toString(first instanceof OnDateTimeReceived
                ? ((OnDateTimeReceived) first).when().toInstant().toEpochMilli() : 0));
        if (m.messageDeduplicationId().isDefined()) {
            attributes.put("MessageDeduplicationId", m.messageDeduplicationId().get().id());
        }
        if (m.messageGroupId().isDefined()) {
            attributes.put("MessageGroupId", m.messageGroupId().get());
        }
        if (m.tracingId().isDefined()) {
            attributes.put("AWSTraceHeader", m.tracingId().get().id());
        }
        if (m.sequenceNumber().isDefined()) {
            attributes.put("SequenceNumber", m.sequenceNumber().get());
        }
        if (m.deadLetterSourceQueueName().isDefined()) {
            attributes.put("DeadLetterQueueSourceArn",
                    "arn:aws:sqs:" + region + ":" + accountId + ":" + m.deadLetterSourceQueueName().get());
        }
        Map<String, ReceivedMessage.Attribute> messageAttributes = new TreeMap<>();
        CollectionConverters.asJava(m.messageAttributes()).forEach((name, a) -> {
            String type = a.getDataType();
            if (a instanceof BinaryMessageAttribute) {
                byte[] bytes = ((BinaryMessageAttribute) a).asBase64().getBytes(StandardCharsets.US_ASCII);
                messageAttributes.put(name, new ReceivedMessage.Attribute(type, null, Base64.getDecoder().decode(bytes)));
            } else if (a instanceof NumberMessageAttribute) {
                messageAttributes.put(name, new ReceivedMessage.Attribute(type,
                        ((NumberMessageAttribute) a).stringValue(), null));
            } else {
                messageAttributes.put(name, new ReceivedMessage.Attribute(type,
                        ((StringMessageAttribute) a).stringValue(), null));
            }
        });
        String body = m.content().value();
        return new ReceivedMessage(m.id().id(), m.deliveryReceipt().get().receipt(), body,
                Collections.unmodifiableMap(attributes), Collections.unmodifiableMap(messageAttributes),
                md5OfBody(body),
                messageAttributes.isEmpty() ? null : MD5Util$.MODULE$.md5AttributeDigest(m.messageAttributes()));
    }

    /**
     * {@return the hex MD5 of a message body, as SQS reports it in {@code MD5OfMessageBody}}
     *
     * @param body the body
     */
    static String md5OfBody(String body) {
        return MD5Util$.MODULE$.md5Digest(body);
    }

    /**
     * Stops the server without waiting for open requests, then the actor system. Call it after
     * the clients that talk to it have stopped.
     */
    @Override
    public void close() {
        try {
            Http.ServerBinding binding = Await.result(server.startFuture(),
                    scala.concurrent.duration.Duration.create(1, TimeUnit.SECONDS));
            binding.unbind();
        } catch (Exception e) {
            LOG.debug("embedded SQS: the server binding could not be released: {}", e.toString());
        }
        terminate();
    }

    private void terminate() {
        try {
            Await.result(system.terminate(), scala.concurrent.duration.Duration.create(STOP_WAIT.toMillis(),
                    TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            LOG.debug("embedded SQS: the actor system did not stop within {}: {}", STOP_WAIT, e.toString());
        }
    }

    /**
     * Receives ElasticMQ's queue events. Events about messages are asked, not told: ElasticMQ
     * answers the SQS call only after this actor replies, so it replies at once.
     */
    static final class Listener extends AbstractActor {
        private final QueueActivity activity;
        private final SentTimes sentTimes;

        Listener(QueueActivity activity, SentTimes sentTimes) {
            this.activity = activity;
            this.sentTimes = sentTimes;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(QueueEvent.MessageAdded.class, e -> {
                        sentTimes.added(e.queueName(), e.message().id());
                        activity.messageVisibleAt(e.queueName(), e.message().id(), e.message().nextDelivery());
                        getSender().tell(OperationSuccessful$.MODULE$, getSelf());
                    })
                    .match(QueueEvent.MessageUpdated.class, e -> {
                        activity.messageVisibleAt(e.queueName(), e.message().id(), e.message().nextDelivery());
                        getSender().tell(OperationSuccessful$.MODULE$, getSelf());
                    })
                    .match(QueueEvent.MessageRemoved.class, e -> {
                        sentTimes.removed(e.queueName(), e.messageId());
                        activity.messageRemoved(e.queueName(), e.messageId());
                        getSender().tell(OperationSuccessful$.MODULE$, getSelf());
                    })
                    .match(QueueEvent.QueueCreated.class, e -> activity.queueCreated(e.queue().name()))
                    .match(QueueEvent.QueueDeleted.class, e -> {
                        sentTimes.queueDeleted(e.queueName());
                        activity.queueDeleted(e.queueName());
                    })
                    .matchAny(e -> {
                    })
                    .build();
        }
    }

    /** ElasticMQ's time from a {@link java.time.Clock}, so a skipping clock skips message delays and visibility too. */
    private static final class ClockNowProvider extends NowProvider {
        private final java.time.Clock clock;

        ClockNowProvider(java.time.Clock clock) {
            this.clock = clock;
        }

        @Override
        public long nowMillis() {
            return clock.millis();
        }

        @Override
        public java.time.OffsetDateTime now() {
            return java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
        }
    }
}
