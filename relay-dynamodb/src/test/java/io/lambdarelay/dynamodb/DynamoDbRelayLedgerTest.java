package io.lambdarelay.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.LedgerUnavailableException;
import io.lambdarelay.PartTally;
import io.lambdarelay.RelayLedger.Claim;
import io.lambdarelay.dynamodb.testing.EmbeddedDynamoDb;
import io.lambdarelay.dynamodb.testing.ScriptedDynamoDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** What is particular to the DynamoDB ledger: its items, its requests, conflicts and set-up. */
class DynamoDbRelayLedgerTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Duration TTL = Duration.ofDays(7);
    private static final String EXPIRES = Long.toString(NOW.plus(TTL).getEpochSecond());

    private static EmbeddedDynamoDb dynamoDb;

    private final String relay = "relay-" + UUID.randomUUID();
    private final List<Integer> pauses = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startDynamoDb() {
        dynamoDb = new EmbeddedDynamoDb();
    }

    @AfterAll
    static void stopDynamoDb() {
        dynamoDb.close();
    }

    private DynamoDbRelayLedger ledger(ScriptedDynamoDb client) {
        return DynamoDbRelayLedger.builder().dynamoDbClient(client).tableName(EmbeddedDynamoDb.TABLE)
                .timeToLive(TTL).clock(Clock.fixed(NOW, ZoneOffset.UTC)).backoff(pauses::add).build();
    }

    private static TransactionCanceledException cancelled(String... codes) {
        return TransactionCanceledException.builder().message("Transaction cancelled")
                .cancellationReasons(Arrays.stream(codes)
                        .map(c -> CancellationReason.builder().code(c).build()).toArray(CancellationReason[]::new))
                .build();
    }

    @Test
    void claimHop_writesOneConditionalPutWithMessageIdAndExpiry() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());

        assertEquals(Claim.CLAIMED, ledger(client).claimHop(relay, 2, 9, "msg-a"));

        PutItemRequest put = assertInstanceOf(PutItemRequest.class, client.requests().get(0));
        assertEquals(1, client.requests().size());
        assertEquals(EmbeddedDynamoDb.TABLE, put.tableName());
        assertEquals("attribute_not_exists(#pk)", put.conditionExpression());
        assertEquals(Map.of("#pk", "pk"), put.expressionAttributeNames());
        assertEquals("ALL_OLD", put.returnValuesOnConditionCheckFailureAsString());
        assertEquals(Map.of("pk", AttributeValue.fromS(relay), "sk", AttributeValue.fromS("claim#2#9"),
                "messageId", AttributeValue.fromS("msg-a"), "expiresAt", AttributeValue.fromN(EXPIRES)),
                dynamoDb.item(relay, "claim#2#9"));
    }

    @Test
    void claimHop_conditionFailed_decidesFromTheReturnedItemWithoutARead() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());
        DynamoDbRelayLedger ledger = ledger(client);
        ledger.claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.TAKEN_OVER, ledger.claimHop(relay, 0, 1, "msg-a"));
        assertEquals(Claim.FORK, ledger.claimHop(relay, 0, 1, "msg-b"));

        assertTrue(client.requests().stream().allMatch(r -> r instanceof PutItemRequest), client.requests().toString());
        assertEquals("msg-a", dynamoDb.item(relay, "claim#0#1").get("messageId").s(), "the claim is never rewritten");
    }

    @Test
    void claimHop_storeWithoutOldItemOnConditionFailure_readsTheClaimConsistently() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client()).withholdOldItem();
        DynamoDbRelayLedger ledger = ledger(client);
        ledger.claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.TAKEN_OVER, ledger.claimHop(relay, 0, 1, "msg-a"));
        assertEquals(Claim.FORK, ledger.claimHop(relay, 0, 1, "msg-b"));

        GetItemRequest read = assertInstanceOf(GetItemRequest.class, client.requests().get(2));
        assertTrue(read.consistentRead());
        assertEquals(AttributeValue.fromS("claim#0#1"), read.key().get("sk"));
    }

    @Test
    void finishPart_putsThePartAndCountsItInOneTransactionThenReadsTheTally() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());

        assertEquals(new PartTally(0, 1, 0), ledger(client).finishPart(relay, 4, true));

        TransactWriteItemsRequest tx = assertInstanceOf(TransactWriteItemsRequest.class, client.requests().get(0));
        assertEquals(2, tx.transactItems().size());
        Put put = tx.transactItems().get(0).put();
        assertEquals("attribute_not_exists(#pk)", put.conditionExpression());
        assertEquals(Map.of("pk", AttributeValue.fromS(relay), "sk", AttributeValue.fromS("part#4"),
                "failed", AttributeValue.fromBool(true), "expiresAt", AttributeValue.fromN(EXPIRES)), put.item());
        Update update = tx.transactItems().get(1).update();
        assertEquals(Map.of("pk", AttributeValue.fromS(relay), "sk", AttributeValue.fromS("tally")), update.key());
        assertEquals("ADD #n :one SET #exp = :exp", update.updateExpression());
        assertEquals(Map.of("#n", "failed", "#exp", "expiresAt"), update.expressionAttributeNames());
        GetItemRequest read = assertInstanceOf(GetItemRequest.class, client.requests().get(1));
        assertTrue(read.consistentRead());
        assertEquals(2, client.requests().size());
        assertEquals(Map.of("pk", AttributeValue.fromS(relay), "sk", AttributeValue.fromS("tally"),
                "failed", AttributeValue.fromN("1"), "expiresAt", AttributeValue.fromN(EXPIRES)),
                dynamoDb.item(relay, "tally"));
    }

    @Test
    void finishPart_transactionConflict_retriesAndCountsOnce() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client())
                .failNext(cancelled("None", "TransactionConflict"))
                .failNext(cancelled("None", "TransactionConflict"));

        assertEquals(new PartTally(1, 0, 0), ledger(client).finishPart(relay, 0, false));

        assertEquals(List.of(1, 2), pauses);
        assertEquals(3, client.requests().stream().filter(r -> r instanceof TransactWriteItemsRequest).count());
    }

    @Test
    void finishPart_throttledTransaction_retries() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client()).failNext(cancelled("None", "ThrottlingError"));

        assertEquals(new PartTally(0, 1, 0), ledger(client).finishPart(relay, 0, true));
        assertEquals(List.of(1), pauses);
    }

    @Test
    void finishPart_conflictOnEveryAttempt_givesUpAsUnavailableAfterEightAttempts() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());
        for (int i = 0; i < DynamoDbRelayLedger.MAX_ATTEMPTS; i++) {
            client.failNext(cancelled("None", "TransactionConflict"));
        }

        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class,
                () -> ledger(client).finishPart(relay, 0, false));

        assertInstanceOf(TransactionCanceledException.class, e.getCause());
        assertTrue(e.getMessage().contains("TransactWriteItems (finishPart)"), e.getMessage());
        assertEquals(DynamoDbRelayLedger.MAX_ATTEMPTS - 1, pauses.size());
        assertEquals(new PartTally(0, 0, 0), dynamoDbLedger().tally(relay), "nothing counted");
    }

    @Test
    void finishPart_cancelledForAnotherReason_isUnavailableWithoutRetry() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client()).failNext(cancelled("None", "ValidationError"));

        assertThrows(LedgerUnavailableException.class, () -> ledger(client).finishPart(relay, 0, false));
        assertEquals(List.of(), pauses);
    }

    @Test
    void addUnits_collidingWithATransaction_retries() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client())
                .failNext(TransactionConflictException.builder().message("Transaction is ongoing for the item").build());

        ledger(client).addUnits(relay, 12);

        assertEquals(List.of(1), pauses);
        UpdateItemRequest update = assertInstanceOf(UpdateItemRequest.class, client.requests().get(1));
        assertEquals("ADD #units :units SET #exp = :exp", update.updateExpression());
        assertEquals(new PartTally(0, 0, 12), dynamoDbLedger().tally(relay));
    }

    @Test
    void addUnits_negative_isRefusedBeforeAnyCall() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ledger(client).addUnits(relay, -3));

        assertEquals("units must not be negative, got -3", e.getMessage());
        assertEquals(List.of(), client.requests());
    }

    @Test
    void markComplete_setsTheFlagOnTheTallyOnCondition() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());
        DynamoDbRelayLedger ledger = ledger(client);

        assertTrue(ledger.markComplete(relay, "m-1"));
        assertFalse(ledger.markComplete(relay, "m-2"));

        UpdateItemRequest update = assertInstanceOf(UpdateItemRequest.class, client.requests().get(0));
        assertEquals("attribute_not_exists(#complete) OR #complete = :mid", update.conditionExpression());
        assertEquals(AttributeValue.fromS("m-1"), dynamoDb.item(relay, "tally").get("complete"));
    }

    @Test
    void expiry_followsTheInjectedClock() {
        Instant later = NOW.plus(Duration.ofHours(5));
        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client())
                .tableName(EmbeddedDynamoDb.TABLE).timeToLive(Duration.ofHours(1))
                .clock(Clock.fixed(later, ZoneOffset.UTC)).build();

        ledger.addUnits(relay, 1);

        assertEquals(Long.toString(later.plusSeconds(3600).getEpochSecond()),
                dynamoDb.item(relay, "tally").get("expiresAt").n());
    }

    @Test
    void missingTable_isUnavailableNamingTheTable() {
        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client())
                .tableName("no-such-table").build();

        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class,
                () -> ledger.claimHop(relay, 0, 1, "msg-a"));

        assertInstanceOf(ResourceNotFoundException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("DynamoDB table no-such-table did not answer PutItem (claimHop) for relay "
                + relay + ": "), e.getMessage());
    }

    @Test
    void close_neverClosesAGivenClient() {
        ScriptedDynamoDb client = new ScriptedDynamoDb(dynamoDb.client());

        ledger(client).close();

        assertEquals(0, client.closeCount());
    }

    @Test
    void createTable_existingTable_returnsFalseAndKeepsItsTtl() {
        assertFalse(DynamoDbRelayLedger.createTable(dynamoDb.client(), EmbeddedDynamoDb.TABLE));

        var ttl = dynamoDb.client().describeTimeToLive(r -> r.tableName(EmbeddedDynamoDb.TABLE))
                .timeToLiveDescription();
        assertEquals(TimeToLiveStatus.ENABLED, ttl.timeToLiveStatus());
        assertEquals("expiresAt", ttl.attributeName());
    }

    @Test
    void createTable_newTable_hasTheLedgerKeysAndOnDemandBilling() {
        assertTrue(DynamoDbRelayLedger.createTable(dynamoDb.client(), "ledger-created-here"));

        var table = dynamoDb.client().describeTable(r -> r.tableName("ledger-created-here")).table();
        assertEquals("[KeySchemaElement(AttributeName=pk, KeyType=HASH), KeySchemaElement(AttributeName=sk, KeyType=RANGE)]",
                table.keySchema().toString());
        assertEquals("PAY_PER_REQUEST", table.billingModeSummary().billingModeAsString());
    }

    @Test
    void builder_withoutTableName_saysItIsRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client()).build());

        assertEquals("tableName is required; set it to the name of the ledger table", e.getMessage());
    }

    @Test
    void builder_invalidTableName_showsIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client()).tableName("relay ledger").build());

        assertTrue(e.getMessage().endsWith("got 'relay ledger'"), e.getMessage());
    }

    @Test
    void builder_timeToLiveUnderOneSecond_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client()).tableName("relay-ledger")
                        .timeToLive(Duration.ofMillis(500)).build());

        assertEquals("timeToLive must be at least one second, got PT0.5S", e.getMessage());
    }

    @Test
    void claimHop_emptyIds_areRefused() {
        DynamoDbRelayLedger ledger = dynamoDbLedger();

        assertThrows(IllegalArgumentException.class, () -> ledger.claimHop("", 0, 1, "msg-a"));
        assertThrows(IllegalArgumentException.class, () -> ledger.claimHop(relay, 0, 1, ""));
        assertThrows(NullPointerException.class, () -> ledger.claimHop(relay, 0, 1, null));
    }

    private static DynamoDbRelayLedger dynamoDbLedger() {
        return DynamoDbRelayLedger.builder().dynamoDbClient(dynamoDb.client()).tableName(EmbeddedDynamoDb.TABLE).build();
    }
}
