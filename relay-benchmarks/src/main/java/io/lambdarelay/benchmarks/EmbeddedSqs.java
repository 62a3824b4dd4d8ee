package io.lambdarelay.benchmarks;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Embedded ElasticMQ on a free loopback port, with an SDK v2 client that counts its calls by
 * operation (adapted from relay-core's test helper of the same name).
 */
public final class EmbeddedSqs implements AutoCloseable {
    /** The region the server and its clients use. */
    public static final String REGION = "us-east-1";
    /** The account id in the server's queue URLs. */
    public static final String ACCOUNT = "000000000000";

    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient client;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** Starts the server and builds the counting client. */
    public EmbeddedSqs() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(0)
                .withAWSRegion(REGION).withAWSAccountId(ACCOUNT).start();
        int port = server.waitUntilStarted().localAddress().getPort();
        endpoint = URI.create("http://127.0.0.1:" + port);
        client = SqsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        calls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                                k -> new AtomicInteger()).incrementAndGet();
                    }
                }))
                .build();
    }

    /** Returns the server's endpoint, for clients built elsewhere (such as child JVMs). */
    public URI endpoint() {
        return endpoint;
    }

    /** Returns the counting client. */
    public SqsClient client() {
        return client;
    }

    /** Creates a queue and returns its URL. */
    public String createQueue(String name) {
        return client.createQueue(r -> r.queueName(name)).queueUrl();
    }

    /** Deletes a queue and the messages in it. */
    public void deleteQueue(String queueUrl) {
        client.deleteQueue(r -> r.queueUrl(queueUrl));
    }

    /** Returns the messages a queue holds: visible, in flight and delayed. */
    public long messagesIn(String queueUrl) {
        return client.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes().values().stream()
                .mapToLong(Long::parseLong).sum();
    }

    /** Returns how many times the client called an operation, such as "SendMessage". */
    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    /** Returns how many calls the client made, all operations together. */
    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }
}
