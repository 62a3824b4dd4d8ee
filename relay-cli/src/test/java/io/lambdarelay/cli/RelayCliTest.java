package io.lambdarelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayFailure;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.cli.CliTesting.Run;
import io.lambdarelay.cli.CliTesting.Summer;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The {@code relay} command line end to end against {@code LocalAws} (virtual time): the bug-fix
 * scenario (a worker that throws for one input, the relay parked, the worker replaced, {@code relay
 * resume}, an exact result), the other commands, JSON, and the exit codes.
 */
class RelayCliTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static LocalAws aws;
    private static Relay relay;
    private static Runnable restoreCredentials;

    @BeforeAll
    static void start() {
        aws = LocalAws.builder().virtualTime(true).start();
        relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(aws.clock()).build();
        restoreCredentials = CliTesting.localCredentials();
    }

    @AfterAll
    static void stop() {
        restoreCredentials.run();
        aws.close();
    }

    private static Run relayCli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--region", aws.region().id(), "--sqs-endpoint-url", aws.sqsEndpoint().toString(),
                "--lambda-endpoint-url", aws.lambdaEndpoint().toString()));
        return CliTesting.run(all.toArray(String[]::new));
    }

    private static Run runRaw(String... args) {
        return CliTesting.run(args);
    }

    /** Sums items 0 to 19 of its packet, one a unit; the buggy version throws at item 7. */
    private static Summer summer(boolean buggy, List<Long> completed, List<RelayFailure> parked) {
        return new Summer(relay, buggy, 0, completed, parked);
    }

    @Test
    void theBugFixScenario_parkedRelay_fixedWorker_relayResume_exactResult() {
        List<Long> completed = new CopyOnWriteArrayList<>();
        List<RelayFailure> parked = new CopyOnWriteArrayList<>();
        aws.registerFunction("cli-worker", Duration.ofSeconds(10), summer(true, completed, parked));
        RelayPacket pkt = relay.setup(null, "cli-worker", RelaySetup.builder().maxReceiveCount(2).build());
        relay.relayPass(pkt);
        Await.until("the relay to park", WAIT, () -> !parked.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);

        Run list = relayCli("list");
        assertEquals(RelayCli.OK, list.code(), list.err());
        String line = list.out().lines().filter(l -> l.startsWith(pkt.relayId())).findFirst().orElseThrow(
                () -> new AssertionError(list.out()));
        assertTrue(line.contains("PARKED") && line.contains("cli-worker") && line.contains("DEAD_LETTERED"), line);
        assertTrue(list.out().startsWith("RELAY ID"), list.out());
        Run status = relayCli("status", pkt.relayId(), "--json");
        assertEquals(RelayCli.OK, status.code(), status.err());
        assertEquals("PARKED", status.json().get("state").asText());
        assertEquals(1, status.json().get("deadLettered").asLong());
        assertEquals("Disabled", status.json().get("mappings").get(0).get("state").asText());

        aws.updateFunctionCode("cli-worker", summer(false, completed, parked));
        Run resume = relayCli("resume", pkt.relayId());

        assertEquals(RelayCli.OK, resume.code(), resume.err());
        assertEquals("relay " + pkt.relayId() + " resumed (was PARKED): 1 packet(s) moved back, 1 mapping(s) enabled",
                resume.out().strip());
        Await.until("the relay to complete", WAIT, () -> !completed.isEmpty(), aws.stats()::toString);
        aws.awaitIdle(WAIT);
        assertEquals(List.of(190L), completed, "0 + 1 + ... + 19, once");
        Run gone = relayCli("status", pkt.relayId());
        assertEquals(RelayCli.UNKNOWN_RELAY, gone.code(), "torn down after it completed");
    }

    @Test
    void pause_status_resume_redrive_cancel_andSweep() {
        List<Long> completed = new CopyOnWriteArrayList<>();
        aws.registerFunction("cli-paused", Duration.ofSeconds(10), summer(false, completed, new ArrayList<>()));
        RelayPacket pkt = relay.setup(null, "cli-paused");

        Run paused = relayCli("pause", pkt.relayId());
        relay.relayPass(pkt);
        aws.awaitIdle(WAIT);

        assertEquals(RelayCli.OK, paused.code(), paused.err());
        assertTrue(paused.out().contains("state          PAUSED (paused "), paused.out());
        JsonNode status = relayCli("status", pkt.relayId(), "--json").json();
        assertEquals("PAUSED", status.get("state").asText());
        assertEquals(1, status.get("visible").asLong(), "the packet waits");
        assertTrue(status.get("partsDone").isNull(), "no ledger, no tally");
        assertTrue(status.get("cost").isNull(), "no ledger, no cost");
        assertEquals(List.of(), completed);
        Run redrive = relayCli("redrive", pkt.relayId(), "--json");
        assertEquals(0, redrive.json().get("packetsMovedBack").asInt());
        JsonNode resumed = relayCli("resume", pkt.relayId(), "--json").json();
        assertEquals("PAUSED", resumed.get("from").asText());
        Await.until("the relay to complete", WAIT, () -> !completed.isEmpty(), aws.stats()::toString);
        assertEquals(List.of(190L), completed);

        RelayPacket other = relay.setup(null, "cli-paused");
        Run cancel = relayCli("cancel", other.relayId());
        assertEquals(RelayCli.OK, cancel.code(), cancel.err());
        assertEquals("relay " + other.relayId() + " cancelled: mapping deleted, queue deleted, dead-letter queue deleted",
                cancel.out().strip());
        Run sweep = relayCli("sweep", "--json", "--idle-minutes", "5");
        assertEquals(RelayCli.OK, sweep.code(), sweep.err());
        assertTrue(sweep.json().get("removedRelays").isArray());
    }

    @Test
    void exitCodes_andMessages_forWhatCannotBeDone() {
        Run help = runRaw("--help");
        assertEquals(RelayCli.OK, help.code());
        assertTrue(help.out().contains("resume <id>") && help.out().contains("exit codes"), help.out());

        Run noCommand = runRaw();
        assertEquals(RelayCli.USAGE, noCommand.code());
        assertTrue(noCommand.err().contains("no command given"), noCommand.err());
        Run unknownCommand = runRaw("restart", "x");
        assertEquals(RelayCli.USAGE, unknownCommand.code());
        assertTrue(unknownCommand.err().contains("unknown command 'restart'"), unknownCommand.err());
        Run missingId = runRaw("status");
        assertEquals(RelayCli.USAGE, missingId.code());
        assertTrue(missingId.err().contains("takes one relay id"), missingId.err());
        Run badUrl = runRaw("list", "--endpoint-url", "nowhere");
        assertEquals(RelayCli.USAGE, badUrl.code());
        assertTrue(badUrl.err().contains("--endpoint-url must be a URL"), badUrl.err());
        assertEquals(RelayCli.USAGE, runRaw("list", "--idle-minutes", "0").code());

        Run unknown = relayCli("status", "0000beefdeadbeef");
        assertEquals(RelayCli.UNKNOWN_RELAY, unknown.code());
        assertTrue(unknown.err().startsWith("relay: no relay 0000beefdeadbeef among the"), unknown.err());
        assertFalse(unknown.err().contains("Exception"), unknown.err());

        aws.registerFunction("cli-orphan", Duration.ofSeconds(10), summer(false, new ArrayList<>(), new ArrayList<>()));
        RelayPacket orphan = relay.setup(null, "cli-orphan");
        aws.lambdaClient().deleteEventSourceMapping(r -> r.uuid(orphan.mappingUuid()));
        Run refused = relayCli("resume", orphan.relayId());
        assertEquals(RelayCli.REFUSED, refused.code());
        assertTrue(refused.err().contains("is FAILED (no event-source mapping reads its queue)"), refused.err());

        assertEquals("no AWS credentials found: set --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                AwsClients.explain(SdkClientException.create("Unable to load credentials from any of the providers")));
        Run unreachable = runRaw("list", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9");
        assertEquals(RelayCli.FAILED, unreachable.code());
        assertTrue(unreachable.err().startsWith("relay: "), unreachable.err());
    }
}
