package io.lambdarelay.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.dynamodb.testing.Dynalite;
import io.lambdarelay.dynamodb.testing.DynaliteExtension;
import io.lambdarelay.dynamodb.testing.ScriptedDynamoDb;
import io.lambdarelay.ledger.LedgerUnavailableException;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger.Claim;
import io.lambdarelay.ledger.RelayLedger.Completion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;

/** What is particular to the DynamoDB ledger, on dynalite: its items, its requests, crashes and set-up. */
class DynamoDbRelayLedgerTest {
    /**
     * The ledger's fixed clock: now, so that expiry times lie ahead. A fixed instant in the past
     * would give items that have already expired, which a store running TTL deletion (LocalStack
     * does) may remove between two calls of a test.
     */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Duration TTL = Duration.ofDays(7);
    private static final AttributeValue EXPIRES = AttributeValue.fromN(Long.toString(NOW.plus(TTL).getEpochSecond()));

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private Dynalite dynalite;
    private final String relay = "relay-" + UUID.randomUUID();

    @BeforeEach
    void findDynalite() {
        dynalite = DYNALITE.dynalite();
    }

    private static DynamoDbRelayLedger ledger(ScriptedDynamoDb client) {
        return DynamoDbRelayLedger.builder().dynamoDbClient(client).tableName(Dynalite.TABLE)
                .timeToLive(TTL).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    private DynamoDbRelayLedger plainLedger() {
        return DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client()).tableName(Dynalite.TABLE).build();
    }

    private ScriptedDynamoDb scripted() {
        return new ScriptedDynamoDb(dynalite.client());
    }

    private static Predicate<SdkRequest> update(String sortKey) {
        return r -> r instanceof UpdateItemRequest u && u.key().get("sk").s().equals(sortKey);
    }

    private static DynamoDbException serverError() {
        return (DynamoDbException) DynamoDbException.builder().message("We encountered an internal error")
                .statusCode(500).build();
    }

    private static Map<String, AttributeValue> key(String relayId, String sortKey) {
        return Map.of("pk", AttributeValue.fromS(relayId), "sk", AttributeValue.fromS(sortKey));
    }

    private static Map<String, AttributeValue> with(Map<String, AttributeValue> base, Object... nameValues) {
        Map<String, AttributeValue> item = new HashMap<>(base);
        for (int i = 0; i < nameValues.length; i += 2) {
            item.put((String) nameValues[i], (AttributeValue) nameValues[i + 1]);
        }
        return item;
    }

    @Test
    void describe_namesTheTable_forTheRelayQueuesTag() {
        assertEquals("dynamodb:" + Dynalite.TABLE, ledger(scripted()).describe());
    }

    @Test
    void claimHop_writesOneConditionalPutWithMessageIdAndExpiry() {
        ScriptedDynamoDb client = scripted();

        assertEquals(Claim.CLAIMED, ledger(client).claimHop(relay, 2, 9, "msg-a"));

        PutItemRequest put = assertInstanceOf(PutItemRequest.class, client.requests().get(0));
        assertEquals(1, client.requests().size());
        assertEquals(Dynalite.TABLE, put.tableName());
        assertEquals("attribute_not_exists(#pk)", put.conditionExpression());
        assertEquals(Map.of("#pk", "pk"), put.expressionAttributeNames());
        assertEquals("ALL_OLD", put.returnValuesOnConditionCheckFailureAsString());
        assertEquals(with(key(relay, "claim#2#9"), "messageId", AttributeValue.fromS("msg-a"), "expiresAt", EXPIRES),
                dynalite.item(relay, "claim#2#9"));
    }

    @Test
    void claimHop_conditionFailedWithTheOldItem_decidesWithoutARead() {
        ScriptedDynamoDb client = scripted().returnOldItem();
        DynamoDbRelayLedger ledger = ledger(client);
        ledger.claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.TAKEN_OVER, ledger.claimHop(relay, 0, 1, "msg-a"));
        assertEquals(Claim.FORK, ledger.claimHop(relay, 0, 1, "msg-b"));

        assertEquals(3, client.requests(PutItemRequest.class).size());
        assertEquals(List.of(), client.requests(GetItemRequest.class));
        assertEquals("msg-a", dynalite.item(relay, "claim#0#1").get("messageId").s(), "the claim is never rewritten");
    }

    @Test
    void claimHop_storeWithoutOldItemOnConditionFailure_readsTheClaimConsistently() {
        ScriptedDynamoDb client = scripted().withholdOldItem();
        DynamoDbRelayLedger ledger = ledger(client);
        ledger.claimHop(relay, 0, 1, "msg-a");

        assertEquals(Claim.TAKEN_OVER, ledger.claimHop(relay, 0, 1, "msg-a"));
        assertEquals(Claim.FORK, ledger.claimHop(relay, 0, 1, "msg-b"));

        GetItemRequest read = assertInstanceOf(GetItemRequest.class, client.requests().get(2));
        assertTrue(read.consistentRead());
        assertEquals(key(relay, "claim#0#1"), read.key());
    }

    @Test
    void finishPart_addsThePartToItsShardThenRaisesTheShardCountInTheTally() {
        ScriptedDynamoDb client = scripted();

        assertEquals(new PartTally(0, 1, 0), ledger(client).finishPart(relay, 4, true));

        List<UpdateItemRequest> updates = client.requests(UpdateItemRequest.class);
        assertEquals(2, client.requests().size(), "two writes, no read: " + client.requests());
        UpdateItemRequest shard = updates.get(0);
        assertEquals(key(relay, "parts#0"), shard.key());
        assertEquals("ADD #failed :part, #v :one SET #exp = :exp", shard.updateExpression());
        assertEquals("(attribute_not_exists(#done) OR NOT contains(#done, :p))"
                + " AND (attribute_not_exists(#failed) OR NOT contains(#failed, :p))", shard.conditionExpression());
        assertEquals(Map.of("#done", "done", "#failed", "failed", "#v", "v", "#exp", "expiresAt"),
                shard.expressionAttributeNames());
        assertEquals(Map.of(":part", AttributeValue.fromNs(List.of("4")), ":p", AttributeValue.fromN("4"),
                ":one", AttributeValue.fromN("1"), ":exp", EXPIRES), shard.expressionAttributeValues());
        assertEquals("ALL_NEW", shard.returnValuesAsString());
        assertEquals("ALL_OLD", shard.returnValuesOnConditionCheckFailureAsString());
        UpdateItemRequest tally = updates.get(1);
        assertEquals(key(relay, "tally"), tally.key());
        assertEquals("SET #n = :n, #d = :d, #v = :v, #exp = :exp", tally.updateExpression());
        assertEquals("attribute_not_exists(#v) OR #v < :v", tally.conditionExpression());
        assertEquals(Map.of("#n", "n0", "#d", "d0", "#v", "v0", "#exp", "expiresAt"), tally.expressionAttributeNames());
        assertEquals(Map.of(":n", AttributeValue.fromN("1"), ":d", AttributeValue.fromN("0"), ":v", AttributeValue.fromN("1"),
                ":exp", EXPIRES), tally.expressionAttributeValues());
        assertEquals("ALL_NEW", tally.returnValuesAsString());

        assertEquals(with(key(relay, "parts#0"), "failed", AttributeValue.fromNs(List.of("4")), "v", AttributeValue.fromN("1"),
                "expiresAt", EXPIRES), dynalite.item(relay, "parts#0"));
        assertEquals(with(key(relay, "tally"), "n0", AttributeValue.fromN("1"), "d0", AttributeValue.fromN("0"),
                "v0", AttributeValue.fromN("1"), "expiresAt", EXPIRES), dynalite.item(relay, "tally"));
    }

    @Test
    void finishPart_partsOfLaterShards_goToTheirShardsAndCountInTheirOwnTallyAttributes() {
        DynamoDbRelayLedger ledger = ledger(scripted());
        ledger.finishPart(relay, 199, false);
        ledger.finishPart(relay, 200, false);
        ledger.finishPart(relay, 450, true);
        ledger.finishPart(relay, 451, false);
        ledger.addUnits(relay, 9);

        assertEquals(new PartTally(3, 1, 9), ledger.tally(relay));
        assertEquals(List.of("199"), dynalite.item(relay, "parts#0").get("done").ns());
        assertEquals(List.of("200"), dynalite.item(relay, "parts#1").get("done").ns());
        assertEquals(List.of("450"), dynalite.item(relay, "parts#2").get("failed").ns());
        assertEquals(List.of("451"), dynalite.item(relay, "parts#2").get("done").ns());
        assertEquals(with(key(relay, "tally"),
                "n0", AttributeValue.fromN("1"), "d0", AttributeValue.fromN("1"), "v0", AttributeValue.fromN("1"),
                "n1", AttributeValue.fromN("1"), "d1", AttributeValue.fromN("1"), "v1", AttributeValue.fromN("1"),
                "n2", AttributeValue.fromN("2"), "d2", AttributeValue.fromN("1"), "v2", AttributeValue.fromN("2"),
                "units", AttributeValue.fromN("9"), "expiresAt", EXPIRES), dynalite.item(relay, "tally"));
    }

    @Test
    void finishPart_repeatOnAStoreWithoutOldItems_readsShardAndTallyAndChangesNothing() {
        ScriptedDynamoDb client = scripted().withholdOldItem();
        DynamoDbRelayLedger ledger = ledger(client);
        ledger.finishPart(relay, 7, false);
        Map<String, AttributeValue> shardBefore = dynalite.item(relay, "parts#0");
        Map<String, AttributeValue> tallyBefore = dynalite.item(relay, "tally");

        assertEquals(new PartTally(1, 0, 0), ledger.finishPart(relay, 7, true));

        List<SdkRequest> repeat = client.requests().subList(2, client.requests().size());
        assertEquals(4, repeat.size(), repeat.toString());
        assertTrue(update("parts#0").test(repeat.get(0)));
        assertEquals(key(relay, "parts#0"), assertInstanceOf(GetItemRequest.class, repeat.get(1)).key());
        assertTrue(((GetItemRequest) repeat.get(1)).consistentRead());
        assertTrue(update("tally").test(repeat.get(2)));
        assertEquals(key(relay, "tally"), assertInstanceOf(GetItemRequest.class, repeat.get(3)).key());
        assertTrue(((GetItemRequest) repeat.get(3)).consistentRead());
        assertEquals(shardBefore, dynalite.item(relay, "parts#0"));
        assertEquals(tallyBefore, dynalite.item(relay, "tally"));
    }

    @Test
    void finishPart_repeatOnAStoreReturningOldItems_needsNoRead() {
        ScriptedDynamoDb client = scripted().returnOldItem();
        DynamoDbRelayLedger ledger = ledger(client);
        ledger.finishPart(relay, 7, false);

        assertEquals(new PartTally(1, 0, 0), ledger.finishPart(relay, 7, false));

        assertEquals(4, client.requests(UpdateItemRequest.class).size());
        assertEquals(List.of(), client.requests(GetItemRequest.class));
    }

    @Test
    void finishPart_crashBeforeTheTallyWrite_repeatCountsThePartOnce() {
        ScriptedDynamoDb client = scripted().failBefore(update("tally"), serverError());
        DynamoDbRelayLedger ledger = ledger(client);

        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class,
                () -> ledger.finishPart(relay, 3, false));
        assertTrue(e.getMessage().startsWith("DynamoDB table relay-ledger did not answer UpdateItem (finishPart) for relay "
                + relay + ": "), e.getMessage());
        assertEquals(List.of("3"), dynalite.item(relay, "parts#0").get("done").ns(), "recorded in its shard");
        assertEquals(new PartTally(0, 0, 0), ledger.tally(relay), "not yet in the tally");

        assertEquals(new PartTally(1, 0, 0), ledger.finishPart(relay, 3, false), "the redelivery counts it");
        assertEquals(new PartTally(1, 0, 0), ledger.finishPart(relay, 3, false), "once");
        assertEquals(new PartTally(1, 0, 0), ledger.tally(relay));
    }

    @Test
    void finishPart_answersLostAfterEitherWrite_repeatCountsThePartOnce() {
        ScriptedDynamoDb client = scripted()
                .failAfter(update("parts#0"), serverError())
                .failAfter(update("tally"), serverError());
        DynamoDbRelayLedger ledger = ledger(client);

        assertThrows(LedgerUnavailableException.class, () -> ledger.finishPart(relay, 5, true), "shard write");
        assertThrows(LedgerUnavailableException.class, () -> ledger.finishPart(relay, 5, true), "tally write");

        assertEquals(new PartTally(0, 1, 0), ledger.tally(relay), "the second attempt's tally write went through");
        assertEquals(new PartTally(0, 1, 0), ledger.finishPart(relay, 5, true));
    }

    @Test
    void finishPart_crashedReportOvertakenByAnotherPartOfItsShard_isCountedByTheOtherAndOnceInAll() {
        ScriptedDynamoDb client = scripted().failBefore(update("tally"), serverError());
        DynamoDbRelayLedger ledger = ledger(client);
        assertThrows(LedgerUnavailableException.class, () -> ledger.finishPart(relay, 1, false));

        assertEquals(new PartTally(2, 0, 0), ledger.finishPart(relay, 2, false), "part 2 carries part 1's count along");
        assertEquals(new PartTally(2, 0, 0), ledger.finishPart(relay, 1, false), "the redelivery of part 1");
        assertEquals(new PartTally(2, 0, 0), ledger.tally(relay));
    }

    @Test
    void finishPart_olderShardStateReachingTheTallyLate_doesNotLowerIt() {
        // Part 10's report is held after its shard write while part 11 is reported in full: the
        // tally sees the shard with both parts, then part 10's older state, which must not win.
        DynamoDbRelayLedger other = ledger(scripted());
        ScriptedDynamoDb client = scripted().withholdOldItem()
                .runBefore(update("tally"), () -> assertEquals(new PartTally(2, 0, 0), other.finishPart(relay, 11, false)));

        assertEquals(new PartTally(2, 0, 0), ledger(client).finishPart(relay, 10, false));

        UpdateItemRequest late = client.requests(UpdateItemRequest.class).get(1);
        assertEquals(AttributeValue.fromN("1"), late.expressionAttributeValues().get(":n"), "the older state");
        assertEquals(AttributeValue.fromN("2"), dynalite.item(relay, "tally").get("n0"));
        assertEquals(new PartTally(2, 0, 0), other.tally(relay));
    }

    @Test
    void finishPart_negativePart_isRefusedBeforeAnyCall() {
        ScriptedDynamoDb client = scripted();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ledger(client).finishPart(relay, -1, false));

        assertEquals("part must not be negative, got -1", e.getMessage());
        assertEquals(List.of(), client.requests());
    }

    @Test
    void addUnits_addsToTheTallyInOneUpdate() {
        ScriptedDynamoDb client = scripted();

        ledger(client).addUnits(relay, 12);

        UpdateItemRequest update = assertInstanceOf(UpdateItemRequest.class, client.requests().get(0));
        assertEquals(1, client.requests().size());
        assertEquals("ADD #units :units SET #exp = :exp", update.updateExpression());
        assertEquals(with(key(relay, "tally"), "units", AttributeValue.fromN("12"), "expiresAt", EXPIRES),
                dynalite.item(relay, "tally"));
    }

    @Test
    void addUnits_negative_isRefusedBeforeAnyCall() {
        ScriptedDynamoDb client = scripted();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ledger(client).addUnits(relay, -3));

        assertEquals("units must not be negative, got -3", e.getMessage());
        assertEquals(List.of(), client.requests());
    }

    @Test
    void beginCompletion_setsHolderAndLeaseOnCondition_thenEndCompletionMarksTheHookDone() {
        ScriptedDynamoDb client = scripted();
        DynamoDbRelayLedger ledger = ledger(client);

        assertEquals(Completion.RUN_HOOK, ledger.beginCompletion(relay, "m-1", Duration.ofSeconds(30)));
        assertEquals(Completion.OTHER, ledger.beginCompletion(relay, "m-1", Duration.ofSeconds(30)),
                "a duplicate while the lease runs");

        UpdateItemRequest update = assertInstanceOf(UpdateItemRequest.class, client.requests().get(0));
        assertEquals("attribute_not_exists(#done) AND (attribute_not_exists(#complete) OR #until < :now)",
                update.conditionExpression());
        assertEquals(with(key(relay, "tally"), "complete", AttributeValue.fromS("m-1"),
                "leaseUntil", AttributeValue.fromN(Long.toString(NOW.toEpochMilli() + 30_000)), "expiresAt", EXPIRES),
                dynalite.item(relay, "tally"));

        ledger.endCompletion(relay);
        assertEquals(Completion.TEAR_DOWN, ledger.beginCompletion(relay, "m-2", Duration.ofSeconds(30)));
        assertEquals(AttributeValue.fromBool(true), dynalite.item(relay, "tally").get("hookDone"));
    }

    @Test
    void reopenPart_removesTheFailedPartAndRaisesTheVersion_aSuccessLaterCountsAsDone() {
        DynamoDbRelayLedger ledger = ledger(scripted());
        ledger.finishPart(relay, 3, true);
        ledger.finishPart(relay, 4, false);

        assertEquals(new PartTally(1, 0, 0), ledger.reopenPart(relay, 3));
        assertEquals(new PartTally(1, 0, 0), ledger.reopenPart(relay, 4), "a part that succeeded stays done");
        assertEquals(AttributeValue.fromN("3"), dynalite.item(relay, "parts#0").get("v"));
        assertEquals(new PartTally(2, 0, 0), ledger.finishPart(relay, 3, false));
    }

    @Test
    void expiry_followsTheInjectedClock() {
        Instant later = NOW.plus(Duration.ofHours(5));
        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client())
                .tableName(Dynalite.TABLE).timeToLive(Duration.ofHours(1))
                .clock(Clock.fixed(later, ZoneOffset.UTC)).build();

        ledger.addUnits(relay, 1);

        assertEquals(Long.toString(later.plusSeconds(3600).getEpochSecond()),
                dynalite.item(relay, "tally").get("expiresAt").n());
    }

    @Test
    void missingTable_isUnavailableNamingTheTable() {
        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client())
                .tableName("no-such-table").build();

        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class,
                () -> ledger.claimHop(relay, 0, 1, "msg-a"));

        assertInstanceOf(ResourceNotFoundException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("DynamoDB table no-such-table did not answer PutItem (claimHop) for relay "
                + relay + ": "), e.getMessage());
    }

    @Test
    void close_neverClosesAGivenClient() {
        ScriptedDynamoDb client = scripted();

        ledger(client).close();

        assertEquals(0, client.closeCount());
    }

    @Test
    void createTable_existingTable_returnsFalse() {
        ScriptedDynamoDb client = scripted();

        assertFalse(DynamoDbRelayLedger.createTable(client, Dynalite.TABLE));

        assertEquals(1, client.requests().size(), client.requests().toString());
    }

    @Test
    void createTable_newTable_hasTheLedgerKeysOnDemandBillingAndAsksForTtl() {
        ScriptedDynamoDb client = scripted();
        String table = "ledger-" + UUID.randomUUID();

        assertTrue(DynamoDbRelayLedger.createTable(client, table));

        var created = dynalite.client().describeTable(r -> r.tableName(table)).table();
        assertEquals("[KeySchemaElement(AttributeName=pk, KeyType=HASH), KeySchemaElement(AttributeName=sk, KeyType=RANGE)]",
                created.keySchema().toString());
        assertEquals("PAY_PER_REQUEST", created.billingModeSummary().billingModeAsString());
        assertEquals("ACTIVE", created.tableStatusAsString());
        UpdateTimeToLiveRequest ttl = client.requests(UpdateTimeToLiveRequest.class).get(0);
        assertEquals(table, ttl.tableName());
        assertEquals("expiresAt", ttl.timeToLiveSpecification().attributeName());
        assertTrue(ttl.timeToLiveSpecification().enabled());
    }

    @Test
    void createTable_storeWithoutUpdateTimeToLive_createsTheTableWithoutTtl() {
        // dynalite answers UpdateTimeToLive with UnknownOperationException, as this test checks first.
        String table = "ledger-" + UUID.randomUUID();
        DynamoDbException unknown = assertThrows(DynamoDbException.class, () -> dynalite.client().updateTimeToLive(
                r -> r.tableName(Dynalite.TABLE).timeToLiveSpecification(s -> s.attributeName("expiresAt").enabled(true))));
        assertEquals("UnknownOperationException", unknown.awsErrorDetails().errorCode());

        assertTrue(DynamoDbRelayLedger.createTable(dynalite.client(), table));

        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client()).tableName(table)
                .build();
        assertEquals(Claim.CLAIMED, ledger.claimHop(relay, 0, 1, "msg-a"), "the table is usable");
    }

    @Test
    void createTable_ttlRefusedForAnotherReason_isUnavailableNamingTheStep() {
        DynamoDbException denied = (DynamoDbException) DynamoDbException.builder().message("not authorized")
                .statusCode(400).awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").build())
                .build();
        ScriptedDynamoDb client = scripted().failBefore(r -> r instanceof UpdateTimeToLiveRequest, denied);
        String table = "ledger-" + UUID.randomUUID();

        LedgerUnavailableException e = assertThrows(LedgerUnavailableException.class,
                () -> DynamoDbRelayLedger.createTable(client, table));

        assertEquals(denied, e.getCause());
        assertTrue(e.getMessage().startsWith("DynamoDB table " + table + " could not be created (UpdateTimeToLive): "),
                e.getMessage());
        assertEquals(1, client.requests(CreateTableRequest.class).size());
    }

    @Test
    void builder_withoutTableName_saysItIsRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client()).build());

        assertEquals("tableName is required; set it to the name of the ledger table", e.getMessage());
    }

    @Test
    void builder_invalidTableName_showsIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client()).tableName("relay ledger").build());

        assertTrue(e.getMessage().endsWith("got 'relay ledger'"), e.getMessage());
    }

    @Test
    void builder_timeToLiveUnderOneSecond_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamoDbRelayLedger.builder().dynamoDbClient(dynalite.client()).tableName("relay-ledger")
                        .timeToLive(Duration.ofMillis(500)).build());

        assertEquals("timeToLive must be at least one second, got PT0.5S", e.getMessage());
    }

    @Test
    void claimHop_emptyIds_areRefused() {
        DynamoDbRelayLedger ledger = plainLedger();

        assertThrows(IllegalArgumentException.class, () -> ledger.claimHop("", 0, 1, "msg-a"));
        assertThrows(IllegalArgumentException.class, () -> ledger.claimHop(relay, 0, 1, ""));
        assertThrows(NullPointerException.class, () -> ledger.claimHop(relay, 0, 1, null));
    }
}
