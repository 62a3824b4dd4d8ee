package io.lambdarelay.testing;

import java.net.URI;
import java.util.List;
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

/** Embedded ElasticMQ on a free loopback port, with a real SDK client that counts its calls by operation. */
public final class EmbeddedSqs implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";

    private final SQSRestServer server;
    private final SqsClient client;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<software.amazon.awssdk.core.SdkRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    public EmbeddedSqs() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(0)
                .withAWSRegion(REGION).withAWSAccountId(ACCOUNT).start();
        int port = server.waitUntilStarted().localAddress().getPort();
        client = SqsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                // ElasticMQ sometimes never answers a request that races the deletion of its queue; a
                // bounded attempt is retried by the SDK and then sees QueueDoesNotExist, as on AWS.
                .overrideConfiguration(c -> c.apiCallAttemptTimeout(java.time.Duration.ofSeconds(3))
                        .addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        calls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                                k -> new AtomicInteger()).incrementAndGet();
                        requests.add(context.request());
                    }
                }))
                .build();
    }

    public SqsClient client() {
        return client;
    }

    /** How many times the client called an SQS operation, such as "SendMessage". */
    public int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public void resetCalls() {
        calls.clear();
        requests.clear();
    }

    /** The whole requests the client sent of one type, in order. */
    public <T extends software.amazon.awssdk.core.SdkRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public List<String> queueUrls() {
        return client.listQueues().queueUrls();
    }

    public long approximateMessages(String queueUrl) {
        Map<QueueAttributeName, String> a = client.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return a.values().stream().mapToLong(Long::parseLong).sum();
    }

    public void deleteAllQueues() {
        for (String url : queueUrls()) {
            client.deleteQueue(r -> r.queueUrl(url));
        }
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }
}
