package io.lambdarelay.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line, parsed: the command, its arguments, and the options, which may come before or
 * after the command as with the AWS CLI.
 *
 * @param command the command, or null when none was given
 * @param arguments the command's arguments
 * @param region {@code --region}, or null for the SDK's default
 * @param profile {@code --profile}, or null for the SDK's default
 * @param endpointUrl {@code --endpoint-url}: for every service, or null
 * @param sqsEndpointUrl {@code --sqs-endpoint-url}, overriding the common one for SQS, or null
 * @param lambdaEndpointUrl {@code --lambda-endpoint-url}, overriding it for Lambda, or null
 * @param dynamoDbEndpointUrl {@code --dynamodb-endpoint-url}, overriding it for DynamoDB, or null
 * @param queuePrefix {@code --queue-prefix}
 * @param ledgerTable {@code --ledger-table}, or null to use the table the relay's tag names
 * @param idleMinutes {@code --idle-minutes} for {@code sweep}
 * @param json {@code --json}
 * @param help {@code --help} or {@code -h}
 */
record CliOptions(String command, List<String> arguments, String region, String profile, URI endpointUrl,
        URI sqsEndpointUrl, URI lambdaEndpointUrl, URI dynamoDbEndpointUrl, String queuePrefix, String ledgerTable,
        int idleMinutes, boolean json, boolean help) {

    static final Set<String> COMMANDS = Set.of("list", "status", "pause", "resume", "cancel", "redrive", "sweep");

    /** A command line that cannot be understood; its message says what is wrong. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Parses the arguments. */
    static CliOptions parse(String[] args) throws UsageException {
        String command = null;
        List<String> arguments = new ArrayList<>();
        String region = null;
        String profile = null;
        URI endpoint = null;
        URI sqsEndpoint = null;
        URI lambdaEndpoint = null;
        URI dynamoDbEndpoint = null;
        String prefix = "relay-";
        String table = null;
        int idleMinutes = 60;
        boolean json = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--json" -> json = true;
                case "--help", "-h" -> help = true;
                case "--region" -> region = value != null ? value : next(args, ++i, name);
                case "--profile" -> profile = value != null ? value : next(args, ++i, name);
                case "--endpoint-url" -> endpoint = uri(name, value != null ? value : next(args, ++i, name));
                case "--sqs-endpoint-url" -> sqsEndpoint = uri(name, value != null ? value : next(args, ++i, name));
                case "--lambda-endpoint-url" -> lambdaEndpoint = uri(name, value != null ? value : next(args, ++i, name));
                case "--dynamodb-endpoint-url" ->
                        dynamoDbEndpoint = uri(name, value != null ? value : next(args, ++i, name));
                case "--queue-prefix" -> prefix = value != null ? value : next(args, ++i, name);
                case "--ledger-table" -> table = value != null ? value : next(args, ++i, name);
                case "--idle-minutes" -> idleMinutes = positive(name, value != null ? value : next(args, ++i, name));
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + a + " (relay --help lists them)");
                    }
                    if (command == null) {
                        if (!COMMANDS.contains(a)) {
                            throw new UsageException("unknown command '" + a + "'; the commands are "
                                    + String.join(", ", List.of("list", "status", "pause", "resume", "cancel",
                                            "redrive", "sweep")));
                        }
                        command = a;
                    } else {
                        arguments.add(a);
                    }
                }
            }
        }
        if (prefix.isEmpty()) {
            throw new UsageException("--queue-prefix must not be empty");
        }
        if (!help) {
            if (command == null) {
                throw new UsageException("no command given (relay --help lists them)");
            }
            int wanted = "list".equals(command) || "sweep".equals(command) ? 0 : 1;
            if (arguments.size() != wanted) {
                throw new UsageException("relay " + command + (wanted == 0 ? " takes no argument" : " takes one relay id")
                        + ", got " + arguments.size() + (arguments.isEmpty() ? "" : ": " + String.join(" ", arguments)));
            }
        }
        return new CliOptions(command, List.copyOf(arguments), region, profile, endpoint, sqsEndpoint, lambdaEndpoint,
                dynamoDbEndpoint, prefix, table, idleMinutes, json, help);
    }

    /** The relay id argument. */
    String relayId() {
        return arguments.get(0);
    }

    private static String next(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static URI uri(String option, String value) throws UsageException {
        try {
            URI u = new URI(value);
            if (u.getScheme() == null || u.getHost() == null) {
                throw new URISyntaxException(value, "no scheme or host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new UsageException(option + " must be a URL such as http://localhost:4566, got '" + value + "'");
        }
    }

    private static int positive(String option, String value) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a whole number of 1 or more, got '" + value + "'");
        }
    }
}
