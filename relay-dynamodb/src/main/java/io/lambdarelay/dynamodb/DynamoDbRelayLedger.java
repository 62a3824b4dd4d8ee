package io.lambdarelay.dynamodb;

import io.lambdarelay.RelayCost;
import io.lambdarelay.ledger.LedgerUnavailableException;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
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
 *   <li>{@code parts#<shard>}: one per {@value #PARTS_PER_SHARD} parts (shard {@code i} holds
 *       parts {@code 200 i} to {@code 200 i + 199}), with the number sets {@value #DONE} and
 *       {@value #FAILED} of the shard's parts that finished either way, and the version
 *       {@value #VERSION} that every write to the shard raises by one;</li>
 *   <li>{@code tally}: per shard {@code i} that has finished parts, {@code n<i>} (how many parts
 *       the shard holds), {@code d<i>} (how many of them are done) and {@code v<i>} (the shard's
 *       version they were taken from); the counter {@value #UNITS}; the cost counters
 *       {@value #COST_HOPS}, {@value #COST_LAMBDA}, {@value #COST_MB_MS}, {@value #COST_SQS},
 *       {@value #COST_LEDGER} and {@value #COST_READS} ({@link #addProgress}, {@link #addCost}); {@value #LAST_PROGRESS}, when
 *       the latest progress was written; and, once the relay is ending,
 *       {@value #COMPLETE} and {@value #LEASE_UNTIL} (who ends it, until when) and
 *       {@value #HOOK_DONE} (once its hook ran).</li>
 * </ul>
 * Every write sets {@value #EXPIRES_AT} (epoch seconds) to now plus the
 * {@linkplain Builder#timeToLive(Duration) time to live}; with the table's TTL on that attribute,
 * DynamoDB deletes a relay's items some time after it ends.
 *
 * <h2>Pooled relays</h2>
 * A relay in a pool has one more item, in the partition {@value #POOLED_PARTITION} with its id as
 * sort key: its worker, pool queue, creation, deadline and state ({@link PooledRelay}). A worker
 * writes it at the relay's first hop ({@code PutItem} on condition that it is absent) and reads it
 * as each packet of the relay arrives ({@code GetItem}, strongly consistent); operators list
 * ({@code Query}) and change it ({@code UpdateItem} on condition that the state is one the change
 * may leave). Those reads all go to one partition, whose limit (3,000 strongly consistent reads a
 * second) then bounds a pool's hops a second, unless DynamoDB splits it by sort key for the
 * traffic.
 *
 * <h2>Why it is correct when workers race</h2>
 * Every call writes single items, each write either idempotent or guarded by a condition that
 * DynamoDB evaluates atomically with it; no call needs a transaction.
 * <ul>
 *   <li>{@link #claimHop}: a {@code PutItem} of the claim item with the condition
 *       {@code attribute_not_exists(pk)}. Of any number of concurrent claims exactly one succeeds
 *       ({@link Claim#CLAIMED}). The others fail the condition and get the winner's item back in
 *       the same call ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}), or read it with a
 *       strongly consistent {@code GetItem} from a store that does not return it; the item is
 *       never changed after it is written, so comparing its message id gives
 *       {@link Claim#TAKEN_OVER} or {@link Claim#FORK} without a race.</li>
 *   <li>{@link #finishPart}: two writes.
 *       <ol>
 *         <li>The part's shard: {@code UpdateItem} that adds the part to {@value #DONE} (or
 *             {@value #FAILED}) and one to {@value #VERSION} on condition that neither set
 *             contains it, returning the item after the write ({@code ALL_NEW}). Exactly one
 *             report of a part passes the condition, so a part is recorded once, with its first
 *             outcome. A report that fails the condition is a repeat; it takes the shard as the
 *             store returns it ({@code ALL_OLD}) or reads it with a strongly consistent
 *             {@code GetItem}.</li>
 *         <li>The tally: {@code UpdateItem} that sets {@code n<i>}, {@code d<i>} and
 *             {@code v<i>} to the counts and version of the shard as the first step saw it, on
 *             condition {@code attribute_not_exists(v<i>) OR v<i> < :v}. Each write to a shard
 *             raises its version, so the shard's states are totally ordered by version and a
 *             version determines the state: keeping the latest is idempotent and commutative,
 *             and reports may reach the tally in any order. A failed condition means the tally
 *             already holds this state of the shard or a later one.</li>
 *       </ol>
 *       The tally returned is the tally item as of the second write: returned by the write
 *       ({@code ALL_NEW}, or {@code ALL_OLD} when its condition fails) or, from a store that
 *       does not return it, read afterwards with a strongly consistent {@code GetItem}; done is
 *       the sum of the {@code d<i>}, failed the sum of {@code n<i> - d<i>}.
 *       <p>Of all reports of a relay's parts, the one whose tally write (passing its condition or
 *       not) comes last sees every part finished. Take any shard and the report that wrote it
 *       last: that report's tally write came after its shard write and no later than the last
 *       tally write, and from then on the tally holds the shard's final count, written by it or
 *       already there (no count is larger). So the last tally write returns every shard at its
 *       final count. Its reporter is the reporter of the last part or one running at the same
 *       time; two may both see every part finished, which is why the completion hook is guarded
 *       by {@link #beginCompletion}. A crash between the two writes leaves the shard's count behind
 *       in the tally until SQS redelivers the message: its repeated report fails the shard's
 *       condition, takes the shard's current state and writes it to the tally.</li>
 *   <li>{@link #reopenPart}: the same two writes, the first removing the part from
 *       {@value #FAILED} (and raising the version) on condition that the set contains it.</li>
 *   <li>{@link #beginCompletion}: an {@code UpdateItem} of the tally that sets {@value #COMPLETE}
 *       and {@value #LEASE_UNTIL} on condition that {@value #HOOK_DONE} is not set and nobody
 *       holds an unexpired lease: of concurrent callers exactly one's condition holds. A caller
 *       whose condition fails reads the tally to tell {@link Completion#TEAR_DOWN} from
 *       {@link Completion#OTHER}. {@link #endCompletion} sets {@value #HOOK_DONE}.</li>
 *   <li>{@link #addUnits}, {@link #addCost} and {@link #addProgress}: an {@code UpdateItem} with
 *       {@code ADD}, which DynamoDB applies atomically ({@link #addProgress} also sets
 *       {@value #LAST_PROGRESS}: the latest write wins).</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * A hop costs one write for its claim and one for its progress ({@link #addProgress}). A finished
 * part costs two single-item writes, and a third for its last progress, and, on AWS, no read. A full shard item stays
 * under 1 KB (one write unit); the tally grows by about 13 bytes per shard that has finished
 * parts, so its write costs one write unit up to about 16,000 parts and up to 7 for a fan-out of
 * 100,000 parts (500 shards, a tally of about 7 KB): 2 write units per part for most relays, up
 * to 8 for the largest, where the transaction this replaces cost 4. All writes of a relay go to
 * one partition, whose limit of 1,000 write units a second bounds how fast parts can finish:
 * about 125 a second with a 7 KB tally.
 *
 * <h2>Errors and permissions</h2>
 * A failure of the store becomes a {@link LedgerUnavailableException} whose message names the
 * table and the DynamoDB operation, with the SDK exception as its cause; the SDK's own retries
 * (throttling, server errors) happen before that. The ledger calls {@code PutItem},
 * {@code GetItem} and {@code UpdateItem} on its table only (and {@code Query} to list pooled
 * relays), so the worker's role needs {@code dynamodb:PutItem}, {@code dynamodb:GetItem} and
 * {@code dynamodb:UpdateItem} on the table's ARN, and an operator's {@code dynamodb:Query} too.
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
    /** Name of a shard item's number set of its parts that finished successfully. */
    public static final String DONE = "done";
    /** Name of a shard item's number set of its parts that gave up. */
    public static final String FAILED = "failed";
    /** Name of the tally's counter (number) of units processed. */
    public static final String UNITS = "units";
    /** Name of the tally's counter (number) of hops in the relay's cost ({@link #addCost}). */
    public static final String COST_HOPS = "costHops";
    /** Name of the tally's counter (number) of Lambda requests in the relay's cost. */
    public static final String COST_LAMBDA = "costLambda";
    /** Name of the tally's counter (number) of Lambda MB-milliseconds in the relay's cost. */
    public static final String COST_MB_MS = "costMbMs";
    /** Name of the tally's counter (number) of SQS requests in the relay's cost. */
    public static final String COST_SQS = "costSqs";
    /** Name of the tally's counter (number) of ledger writes in the relay's cost. */
    public static final String COST_LEDGER = "costLedger";
    /** The tally item's count of ledger reads in the relay's cost. */
    public static final String COST_READS = "costReads";
    /** Name of the tally's attribute (number, epoch milliseconds): when the latest progress was written ({@link #addProgress}). */
    public static final String LAST_PROGRESS = "lastProgress";
    /** Name of a shard item's version (number), raised by every write to the shard. */
    public static final String VERSION = "v";
    /** Name of the tally's attribute holding the message id that is ending the relay ({@link #beginCompletion}). */
    public static final String COMPLETE = "complete";
    /** Name of the tally's attribute holding when that caller's lease runs out (epoch milliseconds). */
    public static final String LEASE_UNTIL = "leaseUntil";
    /** Name of the tally's attribute set once the relay's hook ran ({@link #endCompletion}). */
    public static final String HOOK_DONE = "hookDone";
    /**
     * Parts per shard item. Changing it changes where parts are recorded: a table must keep the
     * value it was written with.
     */
    public static final int PARTS_PER_SHARD = 200;
    /** Partition key of the pooled relays' items: one item per relay, sort key its id. */
    public static final String POOLED_PARTITION = "pooled-relays";
    static final String TALLY = "tally";
    static final String SHARD = "parts#";

    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
    private static final String NOT_EXISTS = "attribute_not_exists(#pk)";
    private static final String SET_EXPIRY = "#exp = :exp";
    private static final String NOT_RECORDED = "(attribute_not_exists(#done) OR NOT contains(#done, :p))"
            + " AND (attribute_not_exists(#failed) OR NOT contains(#failed, :p))";

    private final DynamoDbClient dynamoDb;
    private final boolean ownsClient;
    private final String tableName;
    private final Duration timeToLive;
    private final Clock clock;

    private DynamoDbRelayLedger(Builder b) {
        this.ownsClient = b.dynamoDbClient == null;
        // Named, not left to the SDK: with the Apache client on the classpath the SDK would take it.
        this.dynamoDb = ownsClient
                ? DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build()
                : b.dynamoDbClient;
        this.tableName = b.tableName;
        this.timeToLive = b.timeToLive;
        this.clock = b.clock;
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
     * {@return {@code dynamodb:} and the table name, the tag by which operators' tools find this
     * ledger}
     */
    @Override
    public String describe() {
        return "dynamodb:" + tableName;
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
            winner = getItem(relayId, item.get(SORT_KEY).s(), "claimHop");
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

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the part is negative
     */
    @Override
    public PartTally finishPart(String relayId, int part, boolean failed) {
        return writeShard(relayId, part, "finishPart",
                "ADD " + (failed ? "#failed" : "#done") + " :part, #v :one SET " + SET_EXPIRY, NOT_RECORDED,
                Map.of("#done", DONE, "#failed", FAILED, "#v", VERSION, "#exp", EXPIRES_AT), "already finished, not "
                        + "counted again");
    }

    /**
     * Writes one part's change to its shard (raising the shard's version) on a condition, then
     * raises the tally to the shard's state, as this write left or found it; returns that tally.
     */
    private PartTally writeShard(String relayId, int part, String method, String update, String condition,
            Map<String, String> names, String whenRefused) {
        checkId("relayId", relayId);
        if (part < 0) {
            throw new IllegalArgumentException("part must not be negative, got " + part);
        }
        int shard = part / PARTS_PER_SHARD;
        String p = Integer.toString(part);
        Map<String, AttributeValue> found = call("UpdateItem", method, relayId, () -> {
            try {
                return dynamoDb.updateItem(r -> r.tableName(tableName).key(key(relayId, SHARD + shard))
                        .updateExpression(update).conditionExpression(condition).expressionAttributeNames(names)
                        .expressionAttributeValues(Map.of(":part", AttributeValue.fromNs(List.of(p)),
                                ":p", AttributeValue.fromN(p), ":one", AttributeValue.fromN("1"), ":exp", expiry()))
                        .returnValues(ReturnValue.ALL_NEW)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD))
                        .attributes();
            } catch (ConditionalCheckFailedException e) {
                LOG.debug("relay {} part {}: {}", relayId, part, whenRefused);
                return e.hasItem() && !e.item().isEmpty() ? e.item() : null;
            }
        });
        Map<String, AttributeValue> shardItem = found != null ? found : getItem(relayId, SHARD + shard, method);
        return toTally(raiseShardCount(relayId, shard, shardItem));
    }

    /** Raises the tally's count of the shard to the shard's state; returns the tally as of that write. */
    private Map<String, AttributeValue> raiseShardCount(String relayId, int shard, Map<String, AttributeValue> item) {
        long done = setSize(item, DONE);
        long recorded = done + setSize(item, FAILED);
        long version = number(item, VERSION);
        Map<String, AttributeValue> tally = call("UpdateItem", "finishPart", relayId, () -> {
            try {
                return dynamoDb.updateItem(r -> r.tableName(tableName).key(key(relayId, TALLY))
                        .updateExpression("SET #n = :n, #d = :d, #v = :v, " + SET_EXPIRY)
                        .conditionExpression("attribute_not_exists(#v) OR #v < :v")
                        .expressionAttributeNames(Map.of("#n", "n" + shard, "#d", "d" + shard, "#v", "v" + shard,
                                "#exp", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(recorded)),
                                ":d", AttributeValue.fromN(Long.toString(done)),
                                ":v", AttributeValue.fromN(Long.toString(version)), ":exp", expiry()))
                        .returnValues(ReturnValue.ALL_NEW)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD))
                        .attributes();
            } catch (ConditionalCheckFailedException e) {
                // The tally holds this state of the shard or a later one already.
                return e.hasItem() && !e.item().isEmpty() ? e.item() : null;
            }
        });
        return tally != null ? tally : getItem(relayId, TALLY, "finishPart");
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

    /**
     * {@inheritDoc}
     *
     * <p>One {@code UpdateItem} of the tally item that adds the counts with {@code ADD}.
     */
    @Override
    public void addCost(String relayId, RelayCost cost) {
        checkId("relayId", relayId);
        Objects.requireNonNull(cost, "cost");
        call("UpdateItem", "addCost", relayId, () -> dynamoDb.updateItem(r -> r.tableName(tableName)
                .key(key(relayId, TALLY))
                .updateExpression("ADD #h :h, #l :l, #m :m, #s :s, #w :w, #r :r SET " + SET_EXPIRY)
                .expressionAttributeNames(Map.of("#h", COST_HOPS, "#l", COST_LAMBDA, "#m", COST_MB_MS,
                        "#s", COST_SQS, "#w", COST_LEDGER, "#r", COST_READS, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":h", number(cost.hops()), ":l", number(cost.lambdaRequests()),
                        ":m", number(cost.lambdaMbMillis()), ":s", number(cost.sqsRequests()),
                        ":w", number(cost.ledgerWrites()), ":r", number(cost.ledgerReads()), ":exp", expiry()))));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One {@code UpdateItem} of the tally item: {@code ADD} of the units and the cost counters,
     * {@code SET} of {@value #LAST_PROGRESS}.
     */
    @Override
    public void addProgress(String relayId, long units, RelayCost spent, Instant at) {
        checkId("relayId", relayId);
        if (units < 0) {
            throw new IllegalArgumentException("units must not be negative, got " + units);
        }
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(at, "at");
        Map<String, String> names = new HashMap<>(Map.of("#units", UNITS, "#h", COST_HOPS, "#l", COST_LAMBDA,
                "#m", COST_MB_MS, "#s", COST_SQS, "#w", COST_LEDGER, "#at", LAST_PROGRESS));
        names.put("#exp", EXPIRES_AT);
        names.put("#r", COST_READS);
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":units", number(units), ":h", number(spent.hops()),
                ":l", number(spent.lambdaRequests()), ":m", number(spent.lambdaMbMillis()),
                ":s", number(spent.sqsRequests()), ":w", number(spent.ledgerWrites()), ":at", number(at.toEpochMilli()),
                ":exp", expiry()));
        values.put(":r", number(spent.ledgerReads()));
        call("UpdateItem", "addProgress", relayId, () -> dynamoDb.updateItem(r -> r.tableName(tableName)
                .key(key(relayId, TALLY))
                .updateExpression("ADD #units :units, #h :h, #l :l, #m :m, #s :s, #w :w, #r :r SET #at = :at, " + SET_EXPIRY)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A strongly consistent {@code GetItem} of the tally item.
     */
    @Override
    public Optional<Instant> lastProgress(String relayId) {
        checkId("relayId", relayId);
        Map<String, AttributeValue> tally = getItem(relayId, TALLY, "lastProgress");
        AttributeValue at = tally.get(LAST_PROGRESS);
        return at == null || at.n() == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(at.n())));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A strongly consistent {@code GetItem} of the tally item.
     */
    @Override
    public Optional<RelayCost> cost(String relayId) {
        checkId("relayId", relayId);
        Map<String, AttributeValue> tally = getItem(relayId, TALLY, "cost");
        return Optional.of(new RelayCost(number(tally, COST_HOPS), number(tally, COST_LAMBDA),
                number(tally, COST_MB_MS), number(tally, COST_SQS), number(tally, COST_LEDGER), number(tally, COST_READS)));
    }

    @Override
    public PartTally tally(String relayId) {
        checkId("relayId", relayId);
        return toTally(getItem(relayId, TALLY, "tally"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the part is negative
     */
    @Override
    public PartTally reopenPart(String relayId, int part) {
        return writeShard(relayId, part, "reopenPart", "DELETE #failed :part ADD #v :one SET " + SET_EXPIRY,
                "contains(#failed, :p)", Map.of("#failed", FAILED, "#v", VERSION, "#exp", EXPIRES_AT),
                "not failed, nothing to reopen");
    }

    @Override
    public Completion beginCompletion(String relayId, String messageId, Duration lease) {
        checkId("relayId", relayId);
        checkId("messageId", messageId);
        Objects.requireNonNull(lease, "lease");
        long now = clock.millis();
        boolean won = call("UpdateItem", "beginCompletion", relayId, () -> {
            try {
                dynamoDb.updateItem(r -> r.tableName(tableName).key(key(relayId, TALLY))
                        .updateExpression("SET #complete = :mid, #until = :until, " + SET_EXPIRY)
                        .conditionExpression("attribute_not_exists(#done) AND (attribute_not_exists(#complete) OR "
                                + "#until < :now)")
                        .expressionAttributeNames(Map.of("#complete", COMPLETE, "#until", LEASE_UNTIL,
                                "#done", HOOK_DONE, "#exp", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":mid", AttributeValue.fromS(messageId),
                                ":until", AttributeValue.fromN(Long.toString(now + lease.toMillis())),
                                ":now", AttributeValue.fromN(Long.toString(now)), ":exp", expiry())));
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
        if (won) {
            return Completion.RUN_HOOK;
        }
        return getItem(relayId, TALLY, "beginCompletion").containsKey(HOOK_DONE) ? Completion.TEAR_DOWN
                : Completion.OTHER;
    }

    @Override
    public void endCompletion(String relayId) {
        checkId("relayId", relayId);
        call("UpdateItem", "endCompletion", relayId, () -> dynamoDb.updateItem(r -> r.tableName(tableName)
                .key(key(relayId, TALLY))
                .updateExpression("SET #done = :true, " + SET_EXPIRY)
                .expressionAttributeNames(Map.of("#done", HOOK_DONE, "#exp", EXPIRES_AT))
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true), ":exp", expiry()))));
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
     * exists. A local store that does not know {@code UpdateTimeToLive} (dynalite) gets the table
     * without TTL, with a warning. On AWS, define the table in your infrastructure template
     * instead (see the module's README).
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
            try {
                dynamoDb.updateTimeToLive(r -> r.tableName(tableName)
                        .timeToLiveSpecification(s -> s.attributeName(EXPIRES_AT).enabled(true)));
                LOG.info("created ledger table {} with TTL on {}", tableName, EXPIRES_AT);
            } catch (DynamoDbException e) {
                if (e.awsErrorDetails() == null || !"UnknownOperationException".equals(e.awsErrorDetails().errorCode())) {
                    throw e;
                }
                LOG.warn("created ledger table {} without TTL: the store does not know UpdateTimeToLive, so its "
                        + "items never expire", tableName);
            }
            return true;
        } catch (ResourceInUseException e) {
            LOG.debug("ledger table {} exists", tableName);
            return false;
        } catch (SdkException e) {
            throw new LedgerUnavailableException("DynamoDB table " + tableName + " could not be created (" + op
                    + "): " + e.getMessage(), e);
        }
    }

    private Map<String, AttributeValue> getItem(String relayId, String sortKey, String method) {
        Map<String, AttributeValue> item = call("GetItem", method, relayId, () -> dynamoDb.getItem(r -> r
                .tableName(tableName).key(key(relayId, sortKey)).consistentRead(true)).item());
        return item == null ? Map.of() : item;
    }

    /** Sums the tally item's per-shard counts. */
    private static PartTally toTally(Map<String, AttributeValue> tally) {
        long recorded = 0;
        long done = 0;
        for (Map.Entry<String, AttributeValue> e : tally.entrySet()) {
            String name = e.getKey();
            if (name.length() < 2 || !isDigits(name, 1)) {
                continue;
            }
            if (name.charAt(0) == 'n') {
                recorded += Long.parseLong(e.getValue().n());
            } else if (name.charAt(0) == 'd') {
                done += Long.parseLong(e.getValue().n());
            }
        }
        return new PartTally(done, recorded - done, number(tally, UNITS));
    }

    private static boolean isDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Turns an SDK failure of one DynamoDB call into a {@link LedgerUnavailableException}. */
    private <T> T call(String operation, String method, String relayId, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw new LedgerUnavailableException("DynamoDB table " + tableName + " did not answer " + operation + " ("
                    + method + ") for relay " + relayId + ": " + e.getMessage()
                    + "; the record fails and is retried after its visibility timeout", e);
        }
    }

    @Override
    public boolean keepsPooledRelays() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@code PutItem} on condition that the relay's item is absent.
     */
    @Override
    public boolean registerPooled(PooledRelay relay) {
        Objects.requireNonNull(relay, "relay");
        checkId("relayId", relay.relayId());
        Map<String, AttributeValue> item = key(POOLED_PARTITION, relay.relayId());
        item.putAll(pooledAttributes(relay));
        item.put(EXPIRES_AT, expiry());
        return call("PutItem", "registerPooled", relay.relayId(), () -> {
            try {
                dynamoDb.putItem(r -> r.tableName(tableName).item(item).conditionExpression(NOT_EXISTS)
                        .expressionAttributeNames(Map.of("#pk", PARTITION_KEY)));
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>A strongly consistent {@code GetItem}.
     */
    @Override
    public Optional<PooledRelay> pooledRelay(String relayId) {
        checkId("relayId", relayId);
        Map<String, AttributeValue> item = call("GetItem", "pooledRelay", relayId, () -> dynamoDb.getItem(r -> r
                .tableName(tableName).key(key(POOLED_PARTITION, relayId)).consistentRead(true)).item());
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(pooled(item));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A strongly consistent {@code Query} of the pooled relays' partition, page by page.
     */
    @Override
    public List<PooledRelay> pooledRelays() {
        List<PooledRelay> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = call("Query", "pooledRelays", POOLED_PARTITION, () -> dynamoDb.query(r -> r.tableName(tableName)
                    .keyConditionExpression("#pk = :pk").expressionAttributeNames(Map.of("#pk", PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(POOLED_PARTITION)))
                    .consistentRead(true).exclusiveStartKey(from)));
            for (Map<String, AttributeValue> item : page.items()) {
                PooledRelay p = pooled(item);
                if (!p.control().over()) {
                    out.add(p);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        out.sort(Comparator.comparing(PooledRelay::created).thenComparing(PooledRelay::relayId));
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * <p>An {@code UpdateItem} on condition that the item exists and its state is one of
     * {@code from}, returning the item after it; when the condition fails, a strongly consistent
     * {@code GetItem}.
     */
    @Override
    public Optional<PooledRelay> movePooled(String relayId, PooledRelay.Control to, String reason, Instant at,
            Set<PooledRelay.Control> from) {
        checkId("relayId", relayId);
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        if (from.isEmpty()) {
            return pooledRelay(relayId);
        }
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> allowed = new ArrayList<>();
        int i = 0;
        for (PooledRelay.Control c : from) {
            values.put(":f" + i, AttributeValue.fromS(c.name()));
            allowed.add(":f" + i++);
        }
        values.put(":to", AttributeValue.fromS(to.name()));
        values.put(":why", AttributeValue.fromS(reason == null ? "" : reason));
        values.put(":at", number(at.toEpochMilli()));
        values.put(":exp", expiry());
        Map<String, AttributeValue> after = call("UpdateItem", "movePooled", relayId, () -> {
            try {
                return dynamoDb.updateItem(r -> r.tableName(tableName).key(key(POOLED_PARTITION, relayId))
                        .updateExpression("SET #c = :to, #why = :why, #at = :at, " + SET_EXPIRY)
                        .conditionExpression("attribute_exists(#pk) AND #c IN (" + String.join(", ", allowed) + ")")
                        .expressionAttributeNames(Map.of("#c", P_CONTROL, "#why", P_REASON, "#at", P_CHANGED,
                                "#exp", EXPIRES_AT, "#pk", PARTITION_KEY))
                        .expressionAttributeValues(values).returnValues(ReturnValue.ALL_NEW)).attributes();
            } catch (ConditionalCheckFailedException e) {
                return null;
            }
        });
        return after == null || after.isEmpty() ? pooledRelay(relayId) : Optional.of(pooled(after));
    }

    private static final String P_FUNCTION = "function";
    private static final String P_QUEUE = "queueUrl";
    private static final String P_CREATED = "created";
    private static final String P_EXPIRES = "expires";
    private static final String P_CONTROL = "control";
    private static final String P_REASON = "reason";
    private static final String P_CHANGED = "changed";

    private static Map<String, AttributeValue> pooledAttributes(PooledRelay r) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put(P_FUNCTION, AttributeValue.fromS(r.workerFunction()));
        m.put(P_QUEUE, AttributeValue.fromS(r.queueUrl()));
        m.put(P_CREATED, number(r.created().toEpochMilli()));
        m.put(P_EXPIRES, number(r.expires().toEpochMilli()));
        m.put(P_CONTROL, AttributeValue.fromS(r.control().name()));
        m.put(P_REASON, AttributeValue.fromS(r.reason()));
        m.put(P_CHANGED, number(r.changed().toEpochMilli()));
        return m;
    }

    private static PooledRelay pooled(Map<String, AttributeValue> item) {
        return new PooledRelay(item.get(SORT_KEY).s(), text(item, P_FUNCTION), text(item, P_QUEUE),
                Instant.ofEpochMilli(number(item, P_CREATED)), Instant.ofEpochMilli(number(item, P_EXPIRES)),
                PooledRelay.Control.valueOf(text(item, P_CONTROL)), text(item, P_REASON),
                Instant.ofEpochMilli(number(item, P_CHANGED)));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null ? "" : v.s();
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
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    private static long setSize(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || !v.hasNs() ? 0 : v.ns().size();
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

    /** Builds a {@link DynamoDbRelayLedger}. Not thread-safe. */
    public static final class Builder {
        private DynamoDbClient dynamoDbClient;
        private String tableName;
        private Duration timeToLive = DEFAULT_TIME_TO_LIVE;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Sets the DynamoDB client. The ledger never closes a client given here. Default: a client
         * the ledger creates from the environment, on the URL-connection HTTP client whatever other
         * HTTP client the classpath holds, and closes in {@link DynamoDbRelayLedger#close()}.
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
         * runs again.
         * Default {@link DynamoDbRelayLedger#DEFAULT_TIME_TO_LIVE 14 days}.
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
