package io.lambdarelay.dynamodb.testing;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A DynamoDB client that passes the ledger's calls to a real one, records every request, and can
 * fail the next calls with scripted exceptions (what DynamoDB Local cannot be made to do, such as
 * a transaction conflict), or answer a failed condition without the old item.
 */
public final class ScriptedDynamoDb implements DynamoDbClient {
    private final DynamoDbClient delegate;
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private final Queue<DynamoDbException> faults = new ConcurrentLinkedQueue<>();
    private final AtomicInteger closed = new AtomicInteger();
    private volatile boolean withholdOldItem;

    /**
     * Wraps a client.
     *
     * @param delegate the client that answers unless a fault is scripted
     */
    public ScriptedDynamoDb(DynamoDbClient delegate) {
        this.delegate = delegate;
    }

    /** Fails the next call, whatever it is, with this exception. */
    public ScriptedDynamoDb failNext(DynamoDbException fault) {
        faults.add(fault);
        return this;
    }

    /** Makes a failed PutItem condition come back without the old item, as some stores do. */
    public ScriptedDynamoDb withholdOldItem() {
        withholdOldItem = true;
        return this;
    }

    /** Every request the ledger sent, in order, including the failed ones. */
    public List<SdkRequest> requests() {
        return List.copyOf(requests);
    }

    /** How often {@link #close()} was called. */
    public int closeCount() {
        return closed.get();
    }

    private void record(SdkRequest request) {
        requests.add(request);
        DynamoDbException fault = faults.poll();
        if (fault != null) {
            throw fault;
        }
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        record(request);
        try {
            return delegate.putItem(request);
        } catch (ConditionalCheckFailedException e) {
            if (withholdOldItem) {
                throw ConditionalCheckFailedException.builder().message(e.getMessage())
                        .awsErrorDetails(e.awsErrorDetails()).statusCode(e.statusCode()).build();
            }
            throw e;
        }
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        record(request);
        return delegate.getItem(request);
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        record(request);
        return delegate.updateItem(request);
    }

    @Override
    public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
        record(request);
        return delegate.transactWriteItems(request);
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
        closed.incrementAndGet();
    }
}
