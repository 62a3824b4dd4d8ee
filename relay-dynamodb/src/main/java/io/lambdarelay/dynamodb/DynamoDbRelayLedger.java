package io.lambdarelay.dynamodb;

import io.lambdarelay.LedgerUnavailableException;
import io.lambdarelay.PartTally;
import io.lambdarelay.RelayLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * A {@link RelayLedger} in one DynamoDB table, for relays whose workers run on AWS Lambda.
 *
 * <pre>{@code
 * RelayLedger ledger = DynamoDbRelayLedger.builder()
 *         .dynamoDbClient(dynamoDb)
 *         .tableName("relay-ledger")
 *         .build();
 * }</pre>
 *
 * <h2>Table</h2>
 * One table with a string partition key {@value #PARTITION_KEY} (the relay id) and a string sort
 * key {@value #SORT_KEY}; {@link #createTable(DynamoDbClient, String)} creates it. A relay has
 * three kinds of items:
 * <ul>
 *   <li>{@code claim#<part>#<hop>}: one per claimed hop, attribute {@value #MESSAGE_ID} holds the
 *       SQS message id that claimed it;</li>
 *   <li>{@code part#<part>}: one per finished part, attribute {@value #FAILED} tells how it
 *       ended;</li>
 *   <li>{@code tally}: the counters {@value #DONE}, {@value #FAILED} and {@value #UNITS} and, once
 *       the relay is complete, {@value #COMPLETE} with the completing message's id.</li>
 * </ul>
 * Every write sets {@value #EXPIRES_AT} (epoch seconds) to now plus the
 * {@linkplain Builder#timeToLive(Duration) time to live}; with the table's TTL on that attribute,
 * DynamoDB deletes a relay's items some time after it ends.
 *
 * <h2>Why it is correct when workers race</h2>
 * <ul>
 *   <li>{@link #claimHop}: a {@code PutItem} of the claim item with the condition
 *       {@code attribute_not_exists(pk)}. DynamoDB evaluates the condition and writes atomically,
 *       so of any number of concurrent claims exactly one succeeds ({@link Claim#CLAIMED}). The
 *       others fail the condition and get the winner's item back in the same call
 *       ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}); the item is never changed after it
 *       is written, so comparing its message id gives {@link Claim#TAKEN_OVER} or
 *       {@link Claim#FORK} without a race.</li>
 *   <li>{@link #finishPart}: one {@code TransactWriteItems} that puts the part item on condition
 *       {@code attribute_not_exists(pk)} and adds one to {@value #DONE} or {@value #FAILED} of the
 *       tally. Both happen or neither does, so a part is counted exactly once however often it is
 *       reported, and a crash between two separate writes cannot lose or double a count. A
 *       transaction cancelled by the part's condition is a repeat and returns the current tally.
 *       The tally returned is read with a strongly consistent {@code GetItem} after the
 *       transaction commits, so it includes this part and every part that committed before; the
 *       reporter of the last part therefore always sees every part finished. Two reporters may
 *       both see that, which is why the completion hook is guarded by {@link #markComplete}.</li>
 *   <li>{@link #markComplete}: an {@code UpdateItem} of the tally that sets {@value #COMPLETE} on
 *       condition {@code attribute_not_exists(complete)}: exactly one caller's condition holds.</li>
 *   <li>{@link #addUnits}: an {@code UpdateItem} with {@code ADD}, which DynamoDB applies
 *       atomically.</li>
 * </ul>
 * A write to the tally that collides with another worker's transaction on the same item is
 * refused by DynamoDB ({@code TransactionConflict}), and a throttled transaction is cancelled; the
 * SDK retries neither, so the ledger tries such a call up to eight times with a short random
 * back-off. Every write is idempotent or guarded by its condition, so a retry never counts twice.
 *
 * <h2>Errors and permissions</h2>
 * Any other failure of the store becomes a {@link LedgerUnavailableException} whose message names
 * the table and the DynamoDB operation, with the SDK exception as its cause. The ledger calls
 * {@code PutItem}, {@code GetItem}, {@code UpdateItem} and {@code TransactWriteItems} on its table
 * only; IAM governs a transaction by the actions inside it, so the worker's role needs
 * {@code dynamodb:PutItem}, {@code dynamodb:GetItem} and {@code dynamodb:UpdateItem} on the table's
 * ARN and nothing else.
 *
 * <p>Thread-safe, provided the client is (SDK clients are). The ledger never closes a client it was
 * given; {@link #close()} closes only the client it created itself.
 */
public final class DynamoDbRelayLedger implements RelayLedger, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbRelayLedger.class);

    /** Name of the table's partition key (string): the relay id. */
    public static final String PARTITION_KEY = "pk";
    /** Name of the table's sort key (string): the kind of item and its coordinates. */
    public static final String SORT_KEY = "sk";
    /** Name of the TTL attribute (number, epoch seconds); enable the table's TTL on it. */
    public static final String EXPIRES_AT = "expiresAt";
    /** Default {@linkplain Builder#timeToLive(Duration) time to live}: SQS's longest retention. */
    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofDays(14);

    /** Name of a claim item's attribute (string) holding the SQS message id that claimed the hop. */
    public static final String MESSAGE_ID = "messageId";
    /** Name of the tally's counter (number) of parts finished successfully. */
    public static final String DONE = "done";
    /** Name of the tally's counter (number) of parts that gave up; on a part item, how it ended (boolean). */
    public static final String FAILED = "failed";
    /** Name of the tally's counter (number) of units processed. */
    public static final String UNITS = "units";
    /** Name of the tally's attribute holding the message id that completed the relay ({@link #markComplete}). */
    public static final String COMPLETE = "complete";
    static final String TALLY = "tally";
    static final int MAX_ATTEMPTS = 8;
    /** Cancellation reasons of a transaction that may succeed when sent again. */
    private static final Set<String> TRANSIENT_REASONS =
            Set.of("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded");

    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
    private static final String NOT_EXISTS = "attribute_not_exists(#pk)";
    private static final String SET_EXPIRY = "#exp = :exp";

    private final DynamoDbClient dynamoDb;
    private final boolean ownsClient;
    private final String tableName;
    private final Duration timeToLive;
    private final Clock clock;
    private final Backoff backoff;

    private DynamoDbRelayLedger(Builder b) {
        this.ownsClient = b.dynamoDbClient == null;
        this.dynamoDb = ownsClient ? DynamoDbClient.create() : b.dynamoDbClient;
        this.tableName = b.tableName;
        this.timeToLive = b.timeToLive;
        this.clock = b.clock;
        this.backoff = b.backoff;
    }

    /**
     * Returns a new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the table this ledger writes to.
     *
     * @return the table name
     */
    public String tableName() {
        return tableName;
    }

    /**
     * Returns how long the ledger keeps a relay's items after their last write.
     *
     * @return the time to live
     */
    public Duration timeToLive() {
        return timeToLive;
    }

    @Override
    public Claim claimHop(String relayId, int part, long hop, String messageId) {
        checkId("relayId", relayId);
        checkId("messageId", messageId);
        Map<String, AttributeValue> item = key(relayId, "claim#" + part + "#" + hop);
        item.put(MESSAGE_ID, AttributeValue.fromS(messageId));
        item.put(EXPIRES_AT, expiry());
        Map<String, AttributeValue> winner = call("PutItem", "claimHop", relayId, () -> {
            try {
                dynamoDb.putItem(r -> r.tableName(tableName).item(item).conditionExpression(NOT_EXISTS)
                        .expressionAttributeNames(Map.of("#pk", PARTITION_KEY))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                return null;
            } catch (ConditionalCheckFailedException e) {
                return e.hasItem() ? e.item() : Map.of();
            }
        });
        if (winner == null) {
            return Claim.CLAIMED;
        }
        if (winner.isEmpty()) {
            // A store that does not return the old item: read it. Claim items are never changed, so
            // the read sees the winner's message id (if the claim expired in between, the answer is
            // FORK, which at worst skips work instead of doing it twice).
            winner = call("GetItem", "claimHop", relayId, () -> dynamoDb.getItem(r -> r.tableName(tableName)
                    .key(key(relayId, item.get(SORT_KEY).s())).consistentRead(true)).item());
        }
        AttributeValue previous = winner.get(MESSAGE_ID);
        if (previous != null && messageId.equals(previous.s())) {
            LOG.debug("relay {} part {} hop {}: message {} redelivered, taking its claim over", relayId, part, hop,
                    messageId);
            return Claim.TAKEN_OVER;
        }
        LOG.debug("relay {} part {} hop {}: message {} is a fork, the hop is claimed by {}", relayId, part, hop,
                messageId, previous == null ? null : previous.s());
        return Claim.FORK;
    }

    @Override
    public PartTally finishPart(String relayId, int part, boolean failed) {
        checkId("relayId", relayId);
        Map<String, AttributeValue> partItem = key(relayId, "part#" + part);
        partItem.put(FAILED, AttributeValue.fromBool(failed));
        partItem.put(EXPIRES_AT, expiry());
        TransactWriteItem putPart = TransactWriteItem.builder().put(p -> p.tableName(tableName).item(partItem)
                .conditionExpression(NOT_EXISTS).expressionAttributeNames(Map.of("#pk", PARTITION_KEY))).build();
        TransactWriteItem count = TransactWriteItem.builder().update(u -> u.tableName(tableName)
                .key(key(relayId, TALLY))
                .updateExpression("ADD #n :one SET " + SET_EXPIRY)
                .expressionAttributeNames(Map.of("#n", failed ? FAILED : DONE, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"), ":exp", expiry()))).build();
        boolean counted = call("TransactWriteItems", "finishPart", relayId, () -> {
            try {
                dynamoDb.transactWriteItems(r -> r.transactItems(putPart, count));
                return true;
            } catch (TransactionCanceledException e) {
                if (reason(e, 0).equals("ConditionalCheckFailed")) {
                    return false;
                }
                throw e;
            }
        });
        if (!counted) {
            LOG.debug("relay {} part {}: already finished, not counted again", relayId, part);
        }
        return readTally(relayId, "finishPart");
    }

    @Override
    public void addUnits(String relayId, long units) {
        checkId("relayId", relayId);
        if (units < 0) {
            throw new IllegalArgumentException("units must not be negative, got " + units);
        }
        call("UpdateItem", "addUnits", relayId, () -> dynamoDb.updateItem(r -> r.tableName(tableName)
                .key(key(relayId, TALLY))
                .updateExpression("ADD #units :units SET " + SET_EXPIRY)
                .expressionAttributeNames(Map.of("#units", UNITS, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":units", AttributeValue.fromN(Long.toString(units)),
                        ":exp", expiry()))));
    }

    @Override
    public PartTally tally(String relayId) {
        checkId("relayId", relayId);
        return readTally(relayId, "tally");
    }

    @Override
    public boolean markComplete(String relayId, String messageId) {
        checkId("relayId", relayId);
        checkId("messageId", messageId);
        return call("UpdateItem", "markComplete", relayId, () -> {
            try {
                dynamoDb.updateItem(r -> r.tableName(tableName).key(key(relayId, TALLY))
                        .updateExpression("SET #complete = :mid, " + SET_EXPIRY)
                        .conditionExpression("attribute_not_exists(#complete) OR #complete = :mid")
                        .expressionAttributeNames(Map.of("#complete", COMPLETE, "#exp", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":mid", AttributeValue.fromS(messageId), ":exp", expiry())));
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
    }

    /** Closes the DynamoDB client if the ledger created it; a client given to the builder stays open. */
    @Override
    public void close() {
        if (ownsClient) {
            dynamoDb.close();
        }
    }

    @Override
    public String toString() {
        return "DynamoDbRelayLedger{tableName=" + tableName + ", timeToLive=" + timeToLive + "}";
    }

    /**
     * Creates a ledger table for tests and local runs: keys {@value #PARTITION_KEY} and
     * {@value #SORT_KEY}, on-demand billing, TTL on {@value #EXPIRES_AT}. Does nothing if the table
     * exists. On AWS, define the table in your infrastructure template instead (see the module's
     * README).
     *
     * @param dynamoDb the client; not closed
     * @param tableName the table to create
     * @return {@code true} if the table was created, {@code false} if it existed
     * @throws IllegalArgumentException if the table name is missing or invalid
     * @throws LedgerUnavailableException if DynamoDB refuses or cannot be reached
     */
    public static boolean createTable(DynamoDbClient dynamoDb, String tableName) {
        Objects.requireNonNull(dynamoDb, "dynamoDb");
        checkTableName(tableName);
        String op = "CreateTable";
        try {
            dynamoDb.createTable(r -> r.tableName(tableName).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName(PARTITION_KEY).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SORT_KEY).keyType(KeyType.RANGE).build())
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(PARTITION_KEY)
                                    .attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SORT_KEY)
                                    .attributeType(ScalarAttributeType.S).build()));
            op = "DescribeTable";
            try (DynamoDbWaiter waiter = dynamoDb.waiter()) {
                waiter.waitUntilTableExists(r -> r.tableName(tableName));
            }
            op = "UpdateTimeToLive";
            dynamoDb.updateTimeToLive(r -> r.tableName(tableName)
                    .timeToLiveSpecification(s -> s.attributeName(EXPIRES_AT).enabled(true)));
            LOG.info("created ledger table {} with TTL on {}", tableName, EXPIRES_AT);
            return true;
        } catch (ResourceInUseException e) {
            LOG.debug("ledger table {} exists", tableName);
            return false;
        } catch (SdkException e) {
            throw new LedgerUnavailableException("DynamoDB table " + tableName + " could not be created (" + op
                    + "): " + e.getMessage(), e);
        }
    }

    private PartTally readTally(String relayId, String method) {
        Map<String, AttributeValue> item = call("GetItem", method, relayId, () -> dynamoDb.getItem(r -> r
                .tableName(tableName).key(key(relayId, TALLY)).consistentRead(true)).item());
        return new PartTally(number(item, DONE), number(item, FAILED), number(item, UNITS));
    }

    /**
     * Runs one DynamoDB call: retries it while it collides with another worker's transaction or its
     * transaction is throttled (the SDK retries neither), and turns every other SDK failure into a
     * {@link LedgerUnavailableException}.
     */
    private <T> T call(String operation, String method, String relayId, Supplier<T> call) {
        for (int attempt = 1;; attempt++) {
            try {
                return call.get();
            } catch (TransactionConflictException | TransactionCanceledException e) {
                if (!isTransient(e) || attempt == MAX_ATTEMPTS) {
                    throw unavailable(operation, method, relayId, e);
                }
                LOG.debug("relay {}: {} ({}) collided with a concurrent transaction or was throttled, attempt {} of {}",
                        relayId, method, operation, attempt, MAX_ATTEMPTS);
                pause(attempt, operation, method, relayId, e);
            } catch (SdkException e) {
                throw unavailable(operation, method, relayId, e);
            }
        }
    }

    private void pause(int attempt, String operation, String method, String relayId, SdkException cause) {
        try {
            backoff.pause(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LedgerUnavailableException ex = unavailable(operation, method, relayId, cause);
            ex.addSuppressed(e);
            throw ex;
        }
    }

    private static boolean isTransient(SdkException e) {
        if (e instanceof TransactionConflictException) {
            return true;
        }
        TransactionCanceledException tce = (TransactionCanceledException) e;
        return tce.hasCancellationReasons()
                && tce.cancellationReasons().stream().anyMatch(r -> TRANSIENT_REASONS.contains(r.code()));
    }

    private static String reason(TransactionCanceledException e, int index) {
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        String code = reasons.size() > index ? reasons.get(index).code() : null;
        return code == null ? "" : code;
    }

    private LedgerUnavailableException unavailable(String operation, String method, String relayId,
                                                   SdkException e) {
        return new LedgerUnavailableException("DynamoDB table " + tableName + " did not answer " + operation + " ("
                + method + ") for relay " + relayId + ": " + e.getMessage()
                + "; the record fails and is retried after its visibility timeout", e);
    }

    private static Map<String, AttributeValue> key(String relayId, String sortKey) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(PARTITION_KEY, AttributeValue.fromS(relayId));
        key.put(SORT_KEY, AttributeValue.fromS(sortKey));
        return key;
    }

    private AttributeValue expiry() {
        return AttributeValue.fromN(Long.toString(clock.instant().plus(timeToLive).getEpochSecond()));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item == null ? null : item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static void checkId(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    private static void checkTableName(String tableName) {
        if (tableName == null) {
            throw new IllegalArgumentException("tableName is required; set it to the name of the ledger table");
        }
        if (!TABLE_NAME.matcher(tableName).matches()) {
            throw new IllegalArgumentException("tableName must be 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.', got '"
                    + tableName + "'");
        }
    }

    /** Waits before another attempt; replaceable so tests need not sleep. */
    @FunctionalInterface
    interface Backoff {
        void pause(int attempt) throws InterruptedException;

        /** Full jitter: a random pause below 10 ms times 2 to the attempt, at most 320 ms. */
        Backoff JITTER = attempt -> Thread.sleep(ThreadLocalRandom.current().nextLong(1,
                10L << Math.min(attempt, 5)));
    }

    /** Builds a {@link DynamoDbRelayLedger}. Not thread-safe. */
    public static final class Builder {
        private DynamoDbClient dynamoDbClient;
        private String tableName;
        private Duration timeToLive = DEFAULT_TIME_TO_LIVE;
        private Clock clock = Clock.systemUTC();
        private Backoff backoff = Backoff.JITTER;

        private Builder() {
        }

        /**
         * Sets the DynamoDB client. The ledger never closes a client given here. Default: a client
         * the ledger creates from the environment and closes in {@link DynamoDbRelayLedger#close()}.
         *
         * @param dynamoDbClient the client
         * @return this builder
         */
        public Builder dynamoDbClient(DynamoDbClient dynamoDbClient) {
            this.dynamoDbClient = dynamoDbClient;
            return this;
        }

        /**
         * Sets the table; required. It must have the key schema {@link #createTable} creates.
         *
         * @param tableName the table name
         * @return this builder
         */
        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        /**
         * Sets how long a relay's items live after their last write. Make it longer than a relay
         * can run plus the queue's message retention, or a very late redelivery finds no claim and
         * runs again. Default {@link DynamoDbRelayLedger#DEFAULT_TIME_TO_LIVE 14 days}.
         *
         * @param timeToLive a positive duration of at least one second
         * @return this builder
         */
        public Builder timeToLive(Duration timeToLive) {
            this.timeToLive = timeToLive;
            return this;
        }

        /**
         * Sets the clock the expiry times are computed from. Default: the system clock in UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * Builds the ledger.
         *
         * @return the ledger
         * @throws IllegalArgumentException if the table name is missing or invalid, or the time to
         *     live is shorter than one second
         * @throws NullPointerException if the time to live or the clock is {@code null}
         */
        public DynamoDbRelayLedger build() {
            checkTableName(tableName);
            Objects.requireNonNull(timeToLive, "timeToLive");
            Objects.requireNonNull(clock, "clock");
            if (timeToLive.getSeconds() < 1) {
                throw new IllegalArgumentException("timeToLive must be at least one second, got " + timeToLive);
            }
            return new DynamoDbRelayLedger(this);
        }
    }
}
