package io.lambdarelay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.RelayControl;
import io.lambdarelay.RelayStateException;
import io.lambdarelay.RelayCost;
import io.lambdarelay.RelayStatus;
import io.lambdarelay.RelaySummary;
import io.lambdarelay.TearDownResult;
import io.lambdarelay.UnknownRelayException;
import io.lambdarelay.dynamodb.DynamoDbRelayLedger;
import io.lambdarelay.janitor.JanitorReport;
import io.lambdarelay.janitor.RelayJanitor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The {@code relay} command line: operates relays by id with {@link RelayControl} and sweeps them
 * with {@link RelayJanitor}. Run {@code relay --help} for the commands and options.
 *
 * <p>Exit codes: {@value #OK} done; {@value #FAILED} an AWS call or something else failed;
 * {@value #USAGE} the command line is wrong; {@value #UNKNOWN_RELAY} no relay has that id;
 * {@value #REFUSED} the relay's state does not allow the command.
 */
public final class RelayCli {
    /** Exit code: done. */
    public static final int OK = 0;
    /** Exit code: an AWS call or something else failed. */
    public static final int FAILED = 1;
    /** Exit code: the command line is wrong. */
    public static final int USAGE = 2;
    /** Exit code: no relay has the id. */
    public static final int UNKNOWN_RELAY = 3;
    /** Exit code: the relay's state does not allow the command. */
    public static final int REFUSED = 4;

    static final String HELP = String.join("\n",
            "usage: relay <command> [relay-id] [options]",
            "",
            "commands:",
            "  list               the relays under the queue prefix, oldest first",
            "  status <id>        state, packets queued, in flight, delayed and dead-lettered, mappings, tally, hops,",
            "                     last hop, cost so far",
            "  pause <id>         disable the relay's mapping: its packets wait",
            "  resume <id>        enable it again; a parked relay first gets its dead-lettered packets back,",
            "                     so it goes on with the code deployed now",
            "  cancel <id>        tear the relay down; a dead-letter queue holding packets is kept",
            "  redrive <id>       move dead-lettered packets back, leaving the mapping as it is",
            "  sweep              remove expired, idle and half torn-down relays (the janitor)",
            "",
            "options:",
            "  --region R              AWS region (default: the SDK's, e.g. AWS_REGION or the profile's)",
            "  --profile P             profile of the shared config and credentials files",
            "  --endpoint-url URL      endpoint for every service (LocalStack, say)",
            "  --sqs-endpoint-url URL, --lambda-endpoint-url URL, --dynamodb-endpoint-url URL",
            "                          endpoint for one service",
            "  --queue-prefix P        prefix of the relay queues' names (default relay-)",
            "  --ledger-table T        DynamoDB ledger table (default: the one the relay's tag names); needed to",
            "                          see pooled relays, which live only in the ledger",
            "  --idle-minutes N        sweep: minutes a queue must stay empty to count as idle (default 60)",
            "  --json                  print JSON instead of a table",
            "  -h, --help              this text",
            "",
            "exit codes: 0 done, 1 failed, 2 wrong command line, 3 unknown relay, 4 refused in the relay's state");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;

    /**
     * Creates a command line that prints to these streams.
     *
     * @param out where results go
     * @param err where errors go
     */
    public RelayCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(new RelayCli(out, err).run(args));
    }

    /**
     * Runs one command.
     *
     * @param args the arguments
     * @return the exit code
     */
    public int run(String... args) {
        CliOptions options;
        try {
            options = CliOptions.parse(args);
        } catch (CliOptions.UsageException e) {
            err.println("relay: " + e.getMessage());
            return USAGE;
        }
        if (options.help()) {
            out.println(HELP);
            return OK;
        }
        try (AwsClients clients = AwsClients.of(options)) {
            return execute(options, clients);
        } catch (UnknownRelayException e) {
            err.println("relay: " + e.getMessage());
            return UNKNOWN_RELAY;
        } catch (RelayStateException e) {
            err.println("relay: " + e.getMessage());
            return REFUSED;
        } catch (SdkException e) {
            err.println("relay: " + AwsClients.explain(e));
            return FAILED;
        } catch (RuntimeException e) {
            err.println("relay: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return FAILED;
        }
    }

    private int execute(CliOptions o, AwsClients clients) {
        // With --ledger-table the control sees pooled relays too, which live only in the ledger.
        RelayControl plain = control(o, clients, o.ledgerTable() == null ? null : ledger(clients, o.ledgerTable()));
        switch (o.command()) {
            case "list" -> printList(o, plain.list());
            case "status" -> {
                RelayStatus s = plain.status(o.relayId());
                String table = ledgerTable(o, s);
                printStatus(o, table == null ? s : control(o, clients, ledger(clients, table)).status(o.relayId()));
            }
            case "pause" -> printStatus(o, plain.pause(o.relayId()));
            case "resume" -> {
                RelayControl.Resumed r = withLedger(o, clients, plain).resume(o.relayId());
                print(o, JSON.createObjectNode().put("relayId", r.relayId()).put("from", r.from().name())
                        .put("packetsMovedBack", r.packetsMovedBack()).put("mappingsEnabled", r.mappingsEnabled()),
                        "relay " + r.relayId() + " resumed (was " + r.from() + "): " + r.packetsMovedBack()
                                + " packet(s) moved back, " + r.mappingsEnabled() + " mapping(s) enabled");
            }
            case "cancel" -> {
                TearDownResult t = plain.cancel(o.relayId());
                print(o, JSON.createObjectNode().put("relayId", o.relayId()).put("mappingDeleted", t.mappingDeleted())
                        .put("queueDeleted", t.queueDeleted()).put("deadLetterQueueDeleted", t.dlqDeleted())
                        .put("deadLetterQueueKept", t.dlqKept()).put("deadLettered", t.dlqMessages()),
                        "relay " + o.relayId() + " cancelled: mapping " + gone(t.mappingDeleted()) + ", queue "
                                + gone(t.queueDeleted()) + ", dead-letter queue " + (t.dlqDeleted() ? "deleted"
                                        : t.dlqKept() ? "kept with " + t.dlqMessages() + " packet(s): " + t.dlqUrl()
                                        : "none"));
            }
            case "redrive" -> {
                int moved = withLedger(o, clients, plain).redrive(o.relayId());
                print(o, JSON.createObjectNode().put("relayId", o.relayId()).put("packetsMovedBack", moved),
                        "relay " + o.relayId() + ": " + moved + " packet(s) moved back from the dead-letter queue");
            }
            case "sweep" -> printSweep(o, RelayJanitor.builder().sqsClient(clients.sqs()).lambdaClient(clients.lambda())
                    .queueNamePrefix(o.queuePrefix()).idleAfter(Duration.ofMinutes(o.idleMinutes())).build().sweep());
            default -> throw new IllegalStateException("unhandled command " + o.command());
        }
        return OK;
    }

    private static RelayControl control(CliOptions o, AwsClients clients, DynamoDbRelayLedger ledger) {
        return RelayControl.builder().sqsClient(clients.sqs()).lambdaClient(clients.lambda()).ledger(ledger)
                .queueNamePrefix(o.queuePrefix()).build();
    }

    /** The control with the relay's DynamoDB ledger: the table given, or the one its tag names. */
    private static RelayControl withLedger(CliOptions o, AwsClients clients, RelayControl plain) {
        String table = o.ledgerTable() != null ? o.ledgerTable() : ledgerTable(o, plain.status(o.relayId()));
        return table == null ? plain : control(o, clients, ledger(clients, table));
    }

    /** The ledger table: the one given, or the one the relay's tag names; null if neither. */
    private static String ledgerTable(CliOptions o, RelayStatus status) {
        if (o.ledgerTable() != null) {
            return o.ledgerTable();
        }
        String tag = status.relay().ledger();
        return tag.startsWith("dynamodb:") ? tag.substring("dynamodb:".length()) : null;
    }

    private static DynamoDbRelayLedger ledger(AwsClients clients, String table) {
        return DynamoDbRelayLedger.builder().dynamoDbClient(clients.dynamoDb()).tableName(table).build();
    }

    private static String gone(boolean deletedNow) {
        return deletedNow ? "deleted" : "already gone";
    }

    private void print(CliOptions o, ObjectNode json, String text) {
        out.println(o.json() ? json.toPrettyString() : text);
    }

    private void printList(CliOptions o, List<RelaySummary> relays) {
        if (o.json()) {
            ArrayNode a = JSON.createArrayNode();
            relays.forEach(r -> a.add(summaryJson(r)));
            out.println(a.toPrettyString());
            return;
        }
        if (relays.isEmpty()) {
            out.println("no relays under the queue prefix '" + o.queuePrefix() + "'");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("RELAY ID", "STATE", "WORKER", "CREATED", "EXPIRES", "DETAIL"));
        for (RelaySummary r : relays) {
            rows.add(List.of(r.relayId(), r.state().name(), text(r.workerFunction()), text(r.created()),
                    text(r.expires()), r.detail()));
        }
        out.print(Table.render(rows));
    }

    private void printStatus(CliOptions o, RelayStatus s) {
        if (o.json()) {
            ObjectNode j = summaryJson(s.relay());
            j.put("visible", s.visible()).put("inFlight", s.inFlight()).put("delayed", s.delayed())
                    .put("deadLettered", s.deadLettered());
            ArrayNode m = j.putArray("mappings");
            s.mappings().forEach(x -> m.addObject().put("uuid", x.uuid()).put("state", x.state()));
            putOptional(j, "partsDone", s.partsDone());
            putOptional(j, "partsFailed", s.partsFailed());
            putOptional(j, "units", s.units());
            putOptional(j, "hops", s.hops());
            if (s.lastHop().isPresent()) {
                j.put("lastHop", s.lastHop().get().toString());
            } else {
                j.putNull("lastHop");
            }
            if (s.cost().isPresent()) {
                RelayCost c = s.cost().get();
                j.putObject("cost").put("hops", c.hops()).put("lambdaRequests", c.lambdaRequests())
                        .put("lambdaGbSeconds", c.lambdaGbSeconds()).put("sqsRequests", c.sqsRequests())
                        .put("ledgerWrites", c.ledgerWrites()).put("ledgerReads", c.ledgerReads())
                        .put("estimatedUsd", c.estimatedUsd(RelayCost.Prices.US_EAST_1));
            } else {
                j.putNull("cost");
            }
            out.println(j.toPrettyString());
            return;
        }
        RelaySummary r = s.relay();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("relay", r.relayId()));
        rows.add(List.of("state", r.state() + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")")));
        rows.add(List.of("worker", text(r.workerFunction())));
        rows.add(List.of("created", text(r.created())));
        rows.add(List.of("expires", text(r.expires())));
        rows.add(List.of("queue", text(r.queueUrl())));
        rows.add(List.of("packets", s.visible() < 0 ? "-" : s.visible() + " queued, " + s.inFlight() + " in flight, "
                + s.delayed() + " delayed"));
        rows.add(List.of("dead-lettered", s.deadLettered() < 0 ? "-" : s.deadLettered() + " in " + r.deadLetterQueueUrl()));
        rows.add(List.of("mappings", s.mappings().isEmpty() ? "none"
                : String.join(", ", s.mappings().stream().map(x -> x.uuid() + " " + x.state()).toList())));
        rows.add(List.of("ledger", r.ledger().isEmpty() ? "none" : r.ledger()));
        if (s.partsDone().isPresent()) {
            rows.add(List.of("parts", s.partsDone().getAsLong() + " done, " + s.partsFailed().getAsLong() + " failed"));
            rows.add(List.of("units", Long.toString(s.units().getAsLong())));
        }
        s.hops().ifPresent(h -> rows.add(List.of("hops", Long.toString(h))));
        s.lastHop().ifPresent(t -> rows.add(List.of("last hop", t.toString())));
        s.cost().ifPresent(c -> rows.add(List.of("cost", c + " at us-east-1 list prices, so far")));
        out.print(Table.render(rows, false));
    }

    private void printSweep(CliOptions o, JanitorReport r) {
        ObjectNode j = JSON.createObjectNode();
        j.set("removedRelays", JSON.valueToTree(r.removedRelays()));
        j.set("keptDeadLetterQueues", JSON.valueToTree(r.keptDeadLetterQueues()));
        j.set("markedIdle", JSON.valueToTree(r.markedIdle()));
        j.set("errors", JSON.valueToTree(r.errors()));
        print(o, j, "swept: removed " + r.removedRelays().size() + " relay(s) " + r.removedRelays() + ", kept "
                + r.keptDeadLetterQueues().size() + " dead-letter queue(s), marked " + r.markedIdle().size()
                + " idle, " + r.errors().size() + " error(s)" + (r.errors().isEmpty() ? "" : " " + r.errors()));
    }

    private static ObjectNode summaryJson(RelaySummary r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("relayId", r.relayId()).put("state", r.state().name()).put("worker", r.workerFunction())
                .put("created", r.created() == null ? null : r.created().toString())
                .put("expires", r.expires() == null ? null : r.expires().toString())
                .put("queueUrl", r.queueUrl()).put("deadLetterQueueUrl", r.deadLetterQueueUrl())
                .put("detail", r.detail()).put("ledger", r.ledger().isEmpty() ? null : r.ledger());
        return j;
    }

    private static void putOptional(ObjectNode j, String field, OptionalLong v) {
        if (v.isPresent()) {
            j.put(field, v.getAsLong());
        } else {
            j.putNull(field);
        }
    }

    private static String text(Object v) {
        return v == null ? "-" : v instanceof Instant i ? i.toString() : v.toString();
    }
}
