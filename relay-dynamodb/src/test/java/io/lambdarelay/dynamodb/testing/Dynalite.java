package io.lambdarelay.dynamodb.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import io.lambdarelay.dynamodb.DynamoDbRelayLedger;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * dynalite, an open-source implementation of the DynamoDB API on Node.js, run in memory as a child
 * process on a loopback port, with the ledger table {@link #TABLE} created.
 *
 * <p>{@link #startOrSkip()} finds {@code node} on the {@code PATH} and dynalite {@value #VERSION} in
 * a cache directory (default {@code ~/.cache/lambda-relay/dynalite-4.0.0}; set the system property
 * {@value #DIR_PROPERTY} or the environment variable {@value #DIR_ENV} to use another). If dynalite
 * is not there and {@code npm} is on the {@code PATH}, it installs it there: into a temporary
 * directory first, then moved into place in one step, under a file lock, so concurrent builds
 * neither collide nor see half an installation. Without Node.js, or if the installation fails, it
 * throws an assumption failure whose message is one line saying how to enable the tests.
 *
 * <p>dynalite runs until {@link #close()}, or until this JVM ends however it ends: it quits when
 * its standard input closes. Test classes use it through {@link DynaliteExtension}: one dynalite
 * per class, tests kept apart by relay id.
 */
public final class Dynalite implements AutoCloseable {
    /** The dynalite version the tests run on. */
    public static final String VERSION = "4.0.0";
    /** The ledger table every test of a class uses; tests keep apart by relay id. */
    public static final String TABLE = "relay-ledger";
    /** System property naming the directory dynalite is installed in, or is to be installed in. */
    public static final String DIR_PROPERTY = "lambdarelay.dynalite.dir";
    /** Environment variable naming that directory, if the system property is not set. */
    public static final String DIR_ENV = "LAMBDA_RELAY_DYNALITE_DIR";

    private static final String SKIPPED = "dynalite tests skipped: ";
    private static final String HOW = "install Node.js 18+ and npm (Debian: apt-get install -y nodejs npm) and run"
            + " again";
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration INSTALL_DEADLINE = Duration.ofMinutes(5);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(5);
    private static final int PORT_ATTEMPTS = 3;
    /** Runs dynalite's command line (argv[1] onwards) and ends it when its standard input closes. */
    private static final String RUN_UNTIL_STDIN_CLOSES =
            "process.stdin.on('end', () => process.exit(0)); process.stdin.resume(); require(process.argv[1]);";
    /** Threads of this JVM queue here; the lock file keeps other processes out. */
    private static final Object INSTALLING = new Object();

    private final Process process;
    private final Thread reaper;
    private final Path log;
    private final DynamoDbClient client;
    private final URI endpoint;

    private Dynalite(Process process, Thread reaper, Path log, DynamoDbClient client, URI endpoint) {
        this.process = process;
        this.reaper = reaper;
        this.log = log;
        this.client = client;
        this.endpoint = endpoint;
    }

    /**
     * Starts dynalite, installing it first if needed, and creates {@link #TABLE}.
     *
     * @return the running dynalite; close it when done
     * @throws org.opentest4j.TestAbortedException if Node.js is missing or dynalite cannot be installed
     * @throws IllegalStateException if dynalite is there but does not start
     */
    public static Dynalite startOrSkip() {
        Path node = findOnPath("node").orElse(null);
        if (node == null) {
            abort(SKIPPED + "node not found on PATH; " + HOW);
        }
        checkNodeVersion(node);
        Path cli = installedOrSkip();
        return start(node, cli);
    }

    /**
     * Returns where this dynalite answers, for clients built elsewhere (region us-east-1).
     *
     * @return its endpoint
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Returns a client for this dynalite; it stays open until {@link #close()}.
     *
     * @return the client
     */
    public DynamoDbClient client() {
        return client;
    }

    /**
     * Reads one item of the ledger table as stored, or an empty map.
     *
     * @param relayId the partition key
     * @param sortKey the sort key
     * @return the item's attributes
     */
    public Map<String, AttributeValue> item(String relayId, String sortKey) {
        return client.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of(
                DynamoDbRelayLedger.PARTITION_KEY, AttributeValue.fromS(relayId),
                DynamoDbRelayLedger.SORT_KEY, AttributeValue.fromS(sortKey)))).item();
    }

    /** Closes the client and ends dynalite. */
    @Override
    public void close() {
        client.close();
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook runs and finds nothing left to stop.
        }
        deleteQuietly(log);
    }

    private static void checkNodeVersion(Path node) {
        String version;
        try {
            version = run(List.of(node.toString(), "--version"), Duration.ofSeconds(20)).strip();
        } catch (IOException e) {
            abort(SKIPPED + node + " --version failed (" + e.getMessage() + "); " + HOW);
            return;
        }
        Matcher m = Pattern.compile("v(\\d+)\\..*").matcher(version);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 18) {
            abort(SKIPPED + node + " is " + version + ", dynalite " + VERSION + " needs 18 or newer; " + HOW);
        }
    }

    private static Path installedOrSkip() {
        Path dir = installDir();
        Path cli = cli(dir);
        if (!Files.isRegularFile(cli)) {
            Path npm = findOnPath("npm").orElse(null);
            if (npm == null) {
                abort(SKIPPED + "dynalite " + VERSION + " is not in " + dir + " and npm not found on PATH; " + HOW);
            }
            synchronized (INSTALLING) {
                installUnderLock(npm, dir);
            }
        }
        String installed = installedVersion(dir);
        if (!VERSION.equals(installed)) {
            abort(SKIPPED + dir + " holds dynalite " + installed + ", the tests need " + VERSION + "; remove it or set "
                    + DIR_ENV + " to another directory");
        }
        return cli;
    }

    private static void installUnderLock(Path npm, Path dir) {
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        try {
            Files.createDirectories(dir.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    if (!Files.isRegularFile(cli(dir))) {
                        install(npm, dir);
                    }
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            abort(SKIPPED + "could not install dynalite " + VERSION + " into " + dir + " (" + e + "); install it with: npm"
                    + " install --prefix " + dir + " dynalite@" + VERSION);
        }
    }

    /** Installs into a fresh sibling directory, then renames it to {@code dir}: never half there. */
    private static void install(Path npm, Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    abort(SKIPPED + dir + " exists but holds no node_modules/dynalite/cli.js; remove it and run again");
                }
            }
        }
        Path staging = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".installing-");
        try {
            List<String> command = List.of(npm.toString(), "install", "--no-save", "--no-audit", "--no-fund",
                    "--prefix", staging.toString(), "dynalite@" + VERSION);
            try {
                run(command, INSTALL_DEADLINE);
            } catch (IOException e) {
                abort(SKIPPED + "npm install dynalite@" + VERSION + " failed (" + e.getMessage() + "); check that npm"
                        + " reaches its registry, or install it with: npm install --prefix " + dir + " dynalite@"
                        + VERSION);
            }
            if (!Files.isRegularFile(cli(staging))) {
                abort(SKIPPED + "npm install dynalite@" + VERSION + " left no " + cli(staging) + "; install it with: npm"
                        + " install --prefix " + dir + " dynalite@" + VERSION);
            }
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(staging);
        }
    }

    private static Dynalite start(Path node, Path cli) {
        for (int attempt = 1;; attempt++) {
            int port = freePort();
            Path log = createLog();
            Process process;
            try {
                process = new ProcessBuilder(node.toString(), "-e", RUN_UNTIL_STDIN_CLOSES, cli.toString(),
                        "--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                deleteQuietly(log);
                throw new UncheckedIOException("could not run " + node, e);
            }
            Thread reaper = new Thread(() -> stop(process), "dynalite-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            String failure = awaitAnswer(process, endpoint);
            if (failure == null) {
                DynamoDbClient client = clientBuilder(endpoint).build();
                Dynalite dynalite = new Dynalite(process, reaper, log, client, endpoint);
                try {
                    DynamoDbRelayLedger.createTable(client, TABLE);
                } catch (RuntimeException e) {
                    dynalite.close();
                    throw e;
                }
                return dynalite;
            }
            stop(process);
            Runtime.getRuntime().removeShutdownHook(reaper);
            String output = read(log);
            deleteQuietly(log);
            // Another process may take the free port before dynalite binds it: try another.
            if (!output.contains("EADDRINUSE") || attempt == PORT_ATTEMPTS) {
                throw new IllegalStateException("dynalite " + VERSION + " (" + cli + ") " + failure + "; its output: "
                        + output.strip());
            }
        }
    }

    /** Polls until dynalite answers ListTables; returns {@code null} then, or why it did not. */
    private static String awaitAnswer(Process process, URI endpoint) {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        long pauseMillis = 10;
        try (DynamoDbClient probe = clientBuilder(endpoint)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            while (true) {
                try {
                    probe.listTables(r -> r.limit(1));
                    return null;
                } catch (SdkException e) {
                    if (!process.isAlive()) {
                        return "exited with code " + process.exitValue() + " before it answered";
                    }
                    if (System.nanoTime() - deadline > 0) {
                        return "did not answer ListTables on " + endpoint + " within " + START_DEADLINE.toSeconds()
                                + " s (" + e.getMessage() + ")";
                    }
                }
                try {
                    process.onExit().get(pauseMillis, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // Still starting: ask again.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "was interrupted while starting";
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
                pauseMillis = Math.min(pauseMillis * 2, 200);
            }
        }
    }

    private static DynamoDbClientBuilder clientBuilder(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("dynalite", "dynalite")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(30)));
    }

    /** Ends the process and anything it started; forcibly if it does not end within a few seconds. */
    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!exited(process.toHandle())) {
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            exited(process.toHandle());
        }
    }

    private static boolean exited(ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command to its end and returns its output; throws if it fails or outlives the deadline. */
    private static String run(List<String> command, Duration deadline) throws IOException {
        Path output = Files.createTempFile("lambda-relay-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("npm_config_update_notifier", "false");
            Process process = builder.start();
            process.getOutputStream().close();
            boolean ended;
            try {
                ended = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw new IOException("interrupted", e);
            }
            String text = read(output);
            if (!ended) {
                stop(process);
                throw new IOException("did not end within " + deadline.toSeconds() + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("exit code " + process.exitValue() + ": " + summary(text));
            }
            return text;
        } finally {
            deleteQuietly(output);
        }
    }

    private static Path installDir() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(DIR_ENV);
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String xdgCache = System.getenv("XDG_CACHE_HOME");
        Path cache = xdgCache != null && !xdgCache.isBlank() ? Path.of(xdgCache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("lambda-relay").resolve("dynalite-" + VERSION).toAbsolutePath();
    }

    private static Path cli(Path dir) {
        return dir.resolve("node_modules").resolve("dynalite").resolve("cli.js");
    }

    private static String installedVersion(Path dir) {
        Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(read(dir.resolve("node_modules").resolve("dynalite").resolve("package.json")));
        return m.find() ? m.group(1) : "of an unknown version";
    }

    /** The first executable file of this name in a directory of the {@code PATH}. */
    static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            for (String file : List.of(name, name + ".exe", name + ".cmd")) {
                try {
                    Path candidate = Path.of(dir.isEmpty() ? "." : dir, file);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Optional.of(candidate.toAbsolutePath());
                    }
                } catch (InvalidPathException e) {
                    // Not a usable directory: look in the next one.
                }
            }
        }
        return Optional.empty();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static Path createLog() {
        try {
            return Files.createTempFile("dynalite-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** npm's first two error lines (its last line only says where its log is), or the last line. */
    private static String summary(String text) {
        List<String> lines = text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> errors = lines.stream().filter(l -> l.startsWith("npm error") || l.startsWith("npm ERR!"))
                .limit(2).toList();
        if (!errors.isEmpty()) {
            return String.join(" / ", errors);
        }
        return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A temporary file left behind is harmless.
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
