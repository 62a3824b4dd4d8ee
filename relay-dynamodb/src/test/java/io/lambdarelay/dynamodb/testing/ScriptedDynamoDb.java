package io.lambdarelay.dynamodb.testing;

import io.lambdarelay.dynamodb.DynamoDbRelayLedger;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * A DynamoDB client that passes the calls to a real one, records every request, and can be
 * scripted to do what the real store does not: fail a chosen request before it reaches the store
 * (a crash before the write) or after (the write happened, its answer was lost), run an action
 * just before a chosen request (another worker's call slipping in between), and answer a failed
 * condition with the item (as DynamoDB does on {@code ReturnValuesOnConditionCheckFailure=ALL_OLD})
 * or without it (as dynalite does).
 */
public final class ScriptedDynamoDb implements DynamoDbClient {
    private final DynamoDbClient delegate;
    private final List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger closed = new AtomicInteger();
    private volatile OldItem oldItem = OldItem.AS_THE_STORE_DOES;

    private enum OldItem { AS_THE_STORE_DOES, RETURNED, WITHHELD }

    private enum When { BEFORE, AFTER }

    /** One scripted step: applies to the first request that matches it, once. */
    private record Script(Predicate<SdkRequest> matches, When when, DynamoDbException fault, Runnable action) {
    }

    /**
     * Wraps a client.
     *
     * @param delegate the client that answers the requests; not closed
     */
    public ScriptedDynamoDb(DynamoDbClient delegate) {
        this.delegate = delegate;
    }

    /** Fails the first request that matches with this exception, before it reaches the store. */
    public ScriptedDynamoDb failBefore(Predicate<SdkRequest> request, DynamoDbException fault) {
        scripts.add(new Script(request, When.BEFORE, fault, null));
        return this;
    }

    /** Passes the first request that matches to the store, then fails it with this exception. */
    public ScriptedDynamoDb failAfter(Predicate<SdkRequest> request, DynamoDbException fault) {
        scripts.add(new Script(request, When.AFTER, fault, null));
        return this;
    }

    /** Runs the action just before the first request that matches reaches the store. */
    public ScriptedDynamoDb runBefore(Predicate<SdkRequest> request, Runnable action) {
        scripts.add(new Script(request, When.BEFORE, null, action));
        return this;
    }

    /**
     * Answers a failed condition of a request that asks for {@code ALL_OLD} with the item, as
     * DynamoDB does, reading it from the store if the store did not return it.
     */
    public ScriptedDynamoDb returnOldItem() {
        oldItem = OldItem.RETURNED;
        return this;
    }

    /** Answers every failed condition without the item, as some stores do. */
    public ScriptedDynamoDb withholdOldItem() {
        oldItem = OldItem.WITHHELD;
        return this;
    }

    /** Every request sent, in order, including the failed ones. */
    public List<SdkRequest> requests() {
        return List.copyOf(requests);
    }

    /** The requests of one type, in order. */
    public <T extends SdkRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** How often {@link #close()} was called. */
    public int closeCount() {
        return closed.get();
    }

    private <T> T send(SdkRequest request, Supplier<T> call) {
        requests.add(request);
        Script script = take(request);
        if (script != null && script.when() == When.BEFORE) {
            if (script.action() != null) {
                script.action().run();
            } else {
                throw script.fault();
            }
        }
        T response = call.get();
        if (script != null && script.when() == When.AFTER) {
            throw script.fault();
        }
        return response;
    }

    private Script take(SdkRequest request) {
        for (Script s : scripts) {
            if (s.matches().test(request) && scripts.remove(s)) {
                return s;
            }
        }
        return null;
    }

    private ConditionalCheckFailedException answer(ConditionalCheckFailedException e, String table,
                                                   Map<String, AttributeValue> key, String returnValues) {
        switch (oldItem) {
            case WITHHELD:
                return withItem(e, null);
            case RETURNED:
                if (!ReturnValuesOnConditionCheckFailure.ALL_OLD.toString().equals(returnValues) || e.hasItem()) {
                    return e;
                }
                return withItem(e, delegate.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item());
            default:
                return e;
        }
    }

    private static ConditionalCheckFailedException withItem(ConditionalCheckFailedException e,
                                                            Map<String, AttributeValue> item) {
        return ConditionalCheckFailedException.builder().message(e.getMessage()).awsErrorDetails(e.awsErrorDetails())
                .statusCode(e.statusCode()).item(item).build();
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        return send(request, () -> {
            try {
                return delegate.putItem(request);
            } catch (ConditionalCheckFailedException e) {
                throw answer(e, request.tableName(), keyOf(request.item()),
                        request.returnValuesOnConditionCheckFailureAsString());
            }
        });
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return send(request, () -> {
            try {
                return delegate.updateItem(request);
            } catch (ConditionalCheckFailedException e) {
                throw answer(e, request.tableName(), request.key(), request.returnValuesOnConditionCheckFailureAsString());
            }
        });
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return send(request, () -> delegate.getItem(request));
    }

    @Override
    public CreateTableResponse createTable(CreateTableRequest request) {
        return send(request, () -> delegate.createTable(request));
    }

    @Override
    public DescribeTableResponse describeTable(DescribeTableRequest request) {
        return send(request, () -> delegate.describeTable(request));
    }

    @Override
    public UpdateTimeToLiveResponse updateTimeToLive(UpdateTimeToLiveRequest request) {
        return send(request, () -> delegate.updateTimeToLive(request));
    }

    @Override
    public DynamoDbWaiter waiter() {
        return DynamoDbWaiter.builder().client(this).build();
    }

    private static Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        return Map.of(DynamoDbRelayLedger.PARTITION_KEY, item.get(DynamoDbRelayLedger.PARTITION_KEY),
                DynamoDbRelayLedger.SORT_KEY, item.get(DynamoDbRelayLedger.SORT_KEY));
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
