package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI, given nothing but {@link LocalAws#environment()}, talks to LocalAws and gets the
 * answers Lambda gives: no {@code ExecutedVersion} for {@code Event} and {@code DryRun}, and the
 * log tail for {@code --log-type Tail}. Skipped where no {@code aws} command is installed.
 */
class AwsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The function's input. */
    record Payload(String name) {
    }

    private static LocalAws aws;
    private static String cli;

    @BeforeAll
    static void start() {
        cli = onPath("aws");
        assumeTrue(cli != null, "AWS CLI tests skipped: no 'aws' command on PATH; install the AWS CLI to run them");
        aws = LocalAws.start();
        aws.registerFunction("hello", Duration.ofSeconds(5), Payload.class, (Payload in, Context ctx) -> {
            ctx.getLogger().log("hello from the CLI test");
            return Map.of("ok", true);
        });
    }

    @AfterAll
    static void stop() {
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void eventInvoke_answers202_withoutExecutedVersion(@TempDir Path dir) throws Exception {
        JsonNode r = invoke(dir, "--invocation-type", "Event");

        assertEquals(202, r.get("StatusCode").asInt());
        assertFalse(r.has("ExecutedVersion"), r.toString());
    }

    @Test
    void dryRunInvoke_answers204_withoutExecutedVersion(@TempDir Path dir) throws Exception {
        JsonNode r = invoke(dir, "--invocation-type", "DryRun");

        assertEquals(204, r.get("StatusCode").asInt());
        assertFalse(r.has("ExecutedVersion"), r.toString());
    }

    @Test
    void logTypeTail_returnsTheLogResult(@TempDir Path dir) throws Exception {
        JsonNode r = invoke(dir, "--log-type", "Tail");

        assertEquals(200, r.get("StatusCode").asInt());
        assertEquals("$LATEST", r.get("ExecutedVersion").asText());
        String log = new String(Base64.getDecoder().decode(r.get("LogResult").asText()), StandardCharsets.UTF_8);
        assertTrue(log.startsWith("START RequestId: "), log);
        assertTrue(log.contains("\nhello from the CLI test\nEND RequestId: "), log);
        assertEquals("{\"ok\":true}", Files.readString(dir.resolve("out.json")));
    }

    private static JsonNode invoke(Path dir, String... options) throws Exception {
        Path payload = Files.writeString(dir.resolve("payload.json"), "{\"name\":\"cli\"}");
        List<String> args = new ArrayList<>(List.of("lambda", "invoke", "--function-name", "hello",
                "--payload", "fileb://" + payload));
        args.addAll(List.of(options));
        args.add(dir.resolve("out.json").toString());
        return JSON.readTree(aws(dir, args.toArray(String[]::new)));
    }

    private static String aws(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(cli, "--output", "json"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("cli.txt").toFile());
        pb.environment().putAll(aws.environment());
        // Only what LocalAws says: no profile or credentials of the machine's user.
        pb.environment().put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
        pb.environment().remove("AWS_PROFILE");
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " did not end within 60 s");
        }
        String output = Files.readString(dir.resolve("cli.txt"));
        assertEquals(0, p.exitValue(), "aws " + String.join(" ", args) + ": " + output);
        return output;
    }

    private static String onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, command);
            if (f.isFile() && f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
