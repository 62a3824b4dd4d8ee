package io.lambdarelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayFailure;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.cli.CliTesting.Run;
import io.lambdarelay.cli.CliTesting.Summer;
import io.lambdarelay.dynamodb.DynamoDbRelayLedger;
import io.lambdarelay.dynamodb.testing.Dynalite;
import io.lambdarelay.dynamodb.testing.DynaliteExtension;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code relay status} of a relay whose ledger is a DynamoDB table (on dynalite; skipped without
 * Node.js), found from the relay's tag: while the relay is parked after a bug, its hops, units,
 * last hop and cost so far come from the ledger; after the fix and {@code relay resume}, the relay
 * ends with the exact result.
 */
class RelayCliLedgerTest {
    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int UNITS_PER_HOP = 3;
    private static LocalAws aws;
    private static Runnable restoreCredentials;

    @BeforeAll
    static void start() {
        aws = LocalAws.builder().virtualTime(true).start();
        restoreCredentials = CliTesting.localCredentials();
    }

    @AfterAll
    static void stop() {
        restoreCredentials.run();
        aws.close();
    }

    @Test
    void status_ofAParkedRelay_showsItsHopsUnitsLastHopAndCost_fromTheLedgerItsTagNames() {
        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(DYNALITE.dynalite().client())
                .tableName(Dynalite.TABLE).clock(aws.clock()).build();
        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(aws.clock())
                .ledger(ledger).build();
        List<Long> completed = new CopyOnWriteArrayList<>();
        List<RelayFailure> parked = new CopyOnWriteArrayList<>();
        aws.registerFunction("ledgered-worker", Duration.ofSeconds(10), new Summer(relay, true, UNITS_PER_HOP, completed, parked));
        Instant started = aws.clock().instant();
        RelayPacket pkt = relay.setup(null, "ledgered-worker", RelaySetup.builder().maxReceiveCount(2).build());
        relay.relayPass(pkt);
        Await.until("the relay to park", WAIT, () -> !parked.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);

        Run json = relayCli("status", pkt.relayId(), "--json");
        Run table = relayCli("status", pkt.relayId());

        assertEquals(RelayCli.OK, json.code(), json.err());
        JsonNode s = json.json();
        assertEquals("PARKED", s.get("state").asText());
        assertEquals(2, s.get("hops").asLong(), "items 0-2 and 3-5 handed off; the hop that threw at 7 did not");
        assertEquals(6, s.get("units").asLong());
        assertEquals(2, s.get("cost").get("hops").asLong());
        assertEquals(2, s.get("cost").get("lambdaRequests").asLong());
        assertTrue(s.get("cost").get("ledgerWrites").asLong() >= 4, "a claim and a progress write per hop: " + s);
        Instant lastHop = Instant.parse(s.get("lastHop").asText());
        assertTrue(!lastHop.isBefore(started) && !lastHop.isAfter(aws.clock().instant()), lastHop.toString());
        assertEquals(RelayCli.OK, table.code(), table.err());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("hops\\s+2")), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("last hop\\s+" + lastHop)), table.out());
        assertTrue(table.out().contains("2 hops, 2 Lambda requests"), table.out());

        aws.updateFunctionCode("ledgered-worker", new Summer(relay, false, UNITS_PER_HOP, completed, parked));
        Run resume = relayCli("resume", pkt.relayId());

        assertEquals(RelayCli.OK, resume.code(), resume.err());
        Await.until("the relay to complete", WAIT, () -> !completed.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        assertEquals(List.of(190L), completed, "0 + 1 + ... + 19, once");
        assertEquals(20, ledger.tally(pkt.relayId()).units(), "every item counted once: the failed hop's were not");
    }

    @Test
    void aPooledRelay_isListedPausedAndResumed_byIdThroughTheLedgerTable() {
        DynamoDbRelayLedger ledger = DynamoDbRelayLedger.builder().dynamoDbClient(DYNALITE.dynalite().client())
                .tableName(Dynalite.TABLE).clock(aws.clock()).build();
        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(aws.clock())
                .ledger(ledger).build();
        List<Long> completed = new CopyOnWriteArrayList<>();
        Summer worker = new Summer(relay, false, UNITS_PER_HOP, completed, new CopyOnWriteArrayList<>()) {
            @Override
            protected boolean processUnit(RelayPacket pkt) {
                if (pkt.getLong("next", 0) == 6) {
                    paused.countDown();
                    awaitQuietly(proceed);
                }
                return super.processUnit(pkt);
            }
        };
        aws.registerFunction("pooled-worker", Duration.ofSeconds(10), worker);
        RelayPacket pkt = relay.setup(null, "pooled-worker", RelaySetup.builder().pooled(true).build());
        relay.relayPass(pkt);
        awaitQuietly(paused); // the relay runs its third hop, registered in the ledger since its first

        Run list = relayCli("list", "--ledger-table", Dynalite.TABLE, "--json");
        Run pause = relayCli("pause", pkt.relayId(), "--ledger-table", Dynalite.TABLE, "--json");
        proceed.countDown();
        // Paused, its packet keeps coming back to wait (virtual time skips each wait at once): no idle to await.
        Await.until("the hop under way to hand off", WAIT, () -> ledger.tally(pkt.relayId()).units() == 9,
                aws.stats()::toString);
        Run status = relayCli("status", pkt.relayId(), "--ledger-table", Dynalite.TABLE, "--json");

        assertEquals(RelayCli.OK, list.code(), list.err());
        assertEquals(pkt.relayId(), list.json().get(0).get("relayId").asText());
        assertEquals("RUNNING", list.json().get(0).get("state").asText());
        assertEquals(RelayCli.OK, pause.code(), pause.err());
        assertEquals("PAUSED", status.json().get("state").asText());
        assertEquals(9, status.json().get("units").asLong(), "the hop under way finished; then its packet waits");
        assertEquals(List.of(), completed);

        Run resume = relayCli("resume", pkt.relayId(), "--ledger-table", Dynalite.TABLE);
        assertEquals(RelayCli.OK, resume.code(), resume.err());
        Await.until("the pooled relay to complete", WAIT, () -> !completed.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        assertEquals(List.of(190L), completed, "exact after the pause");
        Run gone = relayCli("status", pkt.relayId(), "--ledger-table", Dynalite.TABLE);
        assertEquals(RelayCli.UNKNOWN_RELAY, gone.code(), "ended: no longer listed");
    }

    private final java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Run relayCli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--region", aws.region().id(), "--sqs-endpoint-url", aws.sqsEndpoint().toString(),
                "--lambda-endpoint-url", aws.lambdaEndpoint().toString(), "--dynamodb-endpoint-url",
                DYNALITE.dynalite().endpoint().toString()));
        return CliTesting.run(all.toArray(String[]::new));
    }
}
