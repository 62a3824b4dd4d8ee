package io.lambdarelay.local.testing;

import io.lambdarelay.local.internal.EmbeddedSqs;
import io.lambdarelay.local.internal.QueueActivity;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * SQS alone, for tests that need no Lambda: the embedded SQS {@link io.lambdarelay.local.LocalAws}
 * runs (ElasticMQ on a free loopback port, started in about a second), with a real SDK client that
 * records every request it makes, so a test can assert how many calls of which kind the code
 * under test made, and what they carried.
 * <pre>{@code
 * try (SqsServer sqs = SqsServer.start()) {
 *     Relay relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).build();
 *     relay.relayPass(pkt);
 *     assertEquals(1, sqs.calls("SendMessage"));
 * }
 * }</pre>
 * Thread-safe. {@link #close()} closes the client and stops the server.
 */
public final class SqsServer implements AutoCloseable {
    /** The region of the queue ARNs. */
    public static final String REGION = "us-east-1";
    /** The account id of the queue URLs and ARNs. */
    public static final String ACCOUNT = "000000000000";

    private final EmbeddedSqs server;
    private final SqsClient client;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();

    private SqsServer() {
        this.server = new EmbeddedSqs(REGION, ACCOUNT, 0, new QueueActivity(System::currentTimeMillis));
        this.client = SqsClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                // ElasticMQ never answers a request that reaches a queue in the instant it is deleted
                // (two tear-downs racing); the SDK retries a bounded attempt and then sees
                // QueueDoesNotExist, as it would on AWS.
                .overrideConfiguration(c -> c.apiCallAttemptTimeout(Duration.ofSeconds(3))
                        .addExecutionInterceptor(new ExecutionInterceptor() {
                            @Override
                            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes a) {
                                calls.computeIfAbsent(a.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                                        k -> new AtomicInteger()).incrementAndGet();
                                requests.add(context.request());
                            }
                        }))
                .build();
    }

    /** {@return a started server; close it when done} */
    public static SqsServer start() {
        return new SqsServer();
    }

    /** {@return the SQS endpoint, for clients you build yourself} */
    public URI endpoint() {
        return server.endpoint();
    }

    /** {@return the recording client; the server closes it} */
    public SqsClient client() {
        return client;
    }

    /**
     * How many times the client called an SQS operation.
     *
     * @param operation the operation's name, such as {@code "SendMessage"}
     * @return the count since the start or the last {@link #resetCalls()}
     */
    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    /** {@return every call of the client since the start or the last {@link #resetCalls()}} */
    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Forgets the calls and requests recorded so far. */
    public void resetCalls() {
        calls.clear();
        requests.clear();
    }

    /**
     * The whole requests the client sent of one type, in order.
     *
     * @param type the request type, such as {@code SendMessageRequest.class}
     * @param <T> the request type
     * @return the requests
     */
    public <T extends SdkRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Creates a queue with SQS's defaults.
     *
     * @param name the queue name
     * @return its URL
     */
    public String createQueue(String name) {
        return client.createQueue(r -> r.queueName(name)).queueUrl();
    }

    /** {@return the URLs of every queue} */
    public List<String> queueUrls() {
        return client.listQueues().queueUrls();
    }

    /**
     * Messages a queue holds: visible, in flight and delayed (SQS's approximate counts, exact on
     * the embedded server).
     *
     * @param queueUrl the queue
     * @return the count
     * @throws QueueDoesNotExistException if the queue is gone
     */
    public long messagesHeld(String queueUrl) {
        return messagesHeld(client, queueUrl);
    }

    /**
     * Messages a queue holds, visible, in flight and delayed, read with any client.
     *
     * @param sqs the client
     * @param queueUrl the queue
     * @return the count
     * @throws QueueDoesNotExistException if the queue is gone
     */
    public static long messagesHeld(SqsClient sqs, String queueUrl) {
        return EmbeddedSqs.held(sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributesAsStrings());
    }

    /** Deletes every queue. */
    public void deleteAllQueues() {
        for (String url : queueUrls()) {
            client.deleteQueue(r -> r.queueUrl(url));
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }

    @Override
    public String toString() {
        return "SqsServer{" + server.endpoint() + "}";
    }
}
