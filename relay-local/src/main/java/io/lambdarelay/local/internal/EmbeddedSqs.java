package io.lambdarelay.local.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.http.scaladsl.Http;
import org.elasticmq.actor.queue.OperationSuccessful$;
import org.elasticmq.actor.queue.QueueEvent;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Await;

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
        Config config = ConfigFactory.parseString(SETTINGS).withFallback(ConfigFactory.load());
        this.system = ActorSystem.create("elasticmq", config);
        this.activity = activity;
        try {
            QueueActivity events = activity;
            ActorRef listener = system.actorOf(Props.create(Listener.class, () -> new Listener(events)),
                    "relay-local-queue-events");
            this.server = SQSRestServerBuilder.withActorSystem(system)
                    .withQueueEventListener(listener)
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
        activity.wakeAll();
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

        Listener(QueueActivity activity) {
            this.activity = activity;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(QueueEvent.MessageAdded.class, e -> {
                        activity.messageVisibleAt(e.queueName(), e.message().id(), e.message().nextDelivery());
                        getSender().tell(OperationSuccessful$.MODULE$, getSelf());
                    })
                    .match(QueueEvent.MessageUpdated.class, e -> {
                        activity.messageVisibleAt(e.queueName(), e.message().id(), e.message().nextDelivery());
                        getSender().tell(OperationSuccessful$.MODULE$, getSelf());
                    })
                    .match(QueueEvent.MessageRemoved.class, e -> {
                        activity.messageRemoved(e.queueName(), e.messageId());
                        getSender().tell(OperationSuccessful$.MODULE$, getSelf());
                    })
                    .match(QueueEvent.QueueCreated.class, e -> activity.queueCreated(e.queue().name()))
                    .match(QueueEvent.QueueDeleted.class, e -> activity.queueDeleted(e.queueName()))
                    .matchAny(e -> {
                    })
                    .build();
        }
    }
}
