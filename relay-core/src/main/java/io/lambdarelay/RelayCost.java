package io.lambdarelay;

import java.util.Locale;

/**
 * What a relay, or one chain or part of it, has spent so far: the billable requests and compute it
 * caused, counted by the library as it goes, with no AWS call of its own. Each packet carries what
 * its chain (or part) has spent ({@link RelayPacket#cost()}); a fan-out's total is the sum of its
 * parts, kept in the ledger ({@link Relay#cost(RelayPacket)}, {@link RelayControl#status}).
 *
 * <p>What is counted, per hop (one record a worker handled and passed on or finished):
 * <ul>
 *   <li>the Lambda request, charged to the first record of each invocation;</li>
 *   <li>the Lambda duration, as the function's memory size (from the invocation's context) times
 *       the milliseconds the record took, by the context's remaining time;</li>
 *   <li>SQS requests: each send, one request per started 64 KiB of its body (a batched send is
 *       charged to the first packet of each {@code SendMessageBatch} call); and the mapping's
 *       receive and delete of an invocation's batch, charged to its first record;</li>
 *   <li>ledger writes made for the record: the hop's claim, its units, a part's finish, the
 *       relay's completion claim and end, and the write of the cost itself; in pooled mode also
 *       the relay's registration at its first hop and its parking;</li>
 *   <li>ledger reads made for the record: in pooled mode, the read of the relay's state as each
 *       packet arrives (and once more when a chain parks its relay).</li>
 * </ul>
 * Not counted: the mapping's polling of an empty queue (it depends on how long the queue exists,
 * not on the work), setup and tear-down, reads you make yourself ({@link Relay#progress},
 * {@link Relay#cost}, {@link RelayControl}), retries inside the SDK, attempts that failed or timed
 * out, and packets dropped because their relay was cancelled (their cost is in no packet),
 * CloudWatch Logs, data transfer, and free tiers. See docs/operations.md.
 *
 * @param hops records handled by a worker (hand-offs and ends)
 * @param lambdaRequests Lambda invocations
 * @param lambdaMbMillis Lambda duration: memory size in MB times milliseconds
 * @param sqsRequests SQS requests, counted in 64 KiB chunks
 * @param ledgerWrites ledger writes (DynamoDB write requests for {@code DynamoDbRelayLedger})
 * @param ledgerReads ledger reads (strongly consistent DynamoDB reads of one item for
 *        {@code DynamoDbRelayLedger})
 */
public record RelayCost(long hops, long lambdaRequests, long lambdaMbMillis, long sqsRequests, long ledgerWrites,
        long ledgerReads) {
    /** Nothing spent. */
    public static final RelayCost ZERO = new RelayCost(0, 0, 0, 0, 0, 0);
    /** SQS bills each started 64 KiB of a request's payload as one request. */
    public static final int SQS_CHUNK_BYTES = 65_536;

    /**
     * Checks the counts.
     *
     * @param hops records handled by a worker
     * @param lambdaRequests Lambda invocations
     * @param lambdaMbMillis memory size in MB times milliseconds
     * @param sqsRequests SQS requests
     * @param ledgerWrites ledger writes
     * @param ledgerReads ledger reads
     * @throws IllegalArgumentException if a count is negative
     */
    public RelayCost {
        if (hops < 0 || lambdaRequests < 0 || lambdaMbMillis < 0 || sqsRequests < 0 || ledgerWrites < 0
                || ledgerReads < 0) {
            throw new IllegalArgumentException("cost counts must not be negative, got hops=" + hops
                    + ", lambdaRequests=" + lambdaRequests + ", lambdaMbMillis=" + lambdaMbMillis + ", sqsRequests="
                    + sqsRequests + ", ledgerWrites=" + ledgerWrites + ", ledgerReads=" + ledgerReads);
        }
    }

    /**
     * Adds two costs.
     *
     * @param other the other cost
     * @return the sum
     */
    public RelayCost plus(RelayCost other) {
        return new RelayCost(hops + other.hops, lambdaRequests + other.lambdaRequests,
                lambdaMbMillis + other.lambdaMbMillis, sqsRequests + other.sqsRequests,
                ledgerWrites + other.ledgerWrites, ledgerReads + other.ledgerReads);
    }

    /**
     * Subtracts an earlier cost of the same packet from this one: what was spent since then. A
     * count that would go below zero is zero.
     *
     * @param earlier the earlier cost
     * @return the difference
     */
    public RelayCost minus(RelayCost earlier) {
        return new RelayCost(Math.max(0, hops - earlier.hops), Math.max(0, lambdaRequests - earlier.lambdaRequests),
                Math.max(0, lambdaMbMillis - earlier.lambdaMbMillis), Math.max(0, sqsRequests - earlier.sqsRequests),
                Math.max(0, ledgerWrites - earlier.ledgerWrites), Math.max(0, ledgerReads - earlier.ledgerReads));
    }

    /** {@return whether every count is zero} */
    public boolean isZero() {
        return equals(ZERO);
    }

    /** {@return the Lambda duration in GB-seconds, the unit Lambda prices it in (1 GB = 1,024 MB)} */
    public double lambdaGbSeconds() {
        return lambdaMbMillis / 1024.0 / 1000.0;
    }

    /**
     * Estimates the cost in US dollars at the given prices, free tiers ignored.
     *
     * @param prices the prices, e.g. {@link Prices#US_EAST_1}
     * @return the estimate
     */
    public double estimatedUsd(Prices prices) {
        return lambdaRequests * prices.perLambdaRequest() + lambdaGbSeconds() * prices.perLambdaGbSecond()
                + sqsRequests * prices.perSqsRequest() + ledgerWrites * prices.perLedgerWrite()
                + ledgerReads * prices.perLedgerRead();
    }

    /** {@return the number of SQS requests a payload of {@code bytes} is billed as: one per started 64 KiB, at least one} */
    static long sqsRequests(long bytes) {
        return Math.max(1, (bytes + SQS_CHUNK_BYTES - 1) / SQS_CHUNK_BYTES);
    }

    /** {@return {@code n} ledger writes and nothing else} */
    static RelayCost ledgerWrites(long n) {
        return new RelayCost(0, 0, 0, 0, n, 0);
    }

    /** {@return {@code n} ledger reads and nothing else} */
    static RelayCost ledgerReads(long n) {
        return new RelayCost(0, 0, 0, 0, 0, n);
    }

    /** {@return {@code n} SQS requests and nothing else} */
    static RelayCost sqs(long n) {
        return new RelayCost(0, 0, 0, n, 0, 0);
    }

    /**
     * Describes the cost in one line: hops, requests, GB-seconds, ledger writes (and reads, when
     * there are any) and the estimate at {@link Prices#US_EAST_1}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        String reads = ledgerReads == 0 ? "" : String.format(Locale.ROOT, ", %,d ledger reads", ledgerReads);
        return String.format(Locale.ROOT, "%,d hops, %,d Lambda requests, %.1f GB-s, %,d SQS requests, %,d ledger "
                + "writes%s: about $%.6f", hops, lambdaRequests, lambdaGbSeconds(), sqsRequests, ledgerWrites, reads,
                estimatedUsd(Prices.US_EAST_1));
    }

    /**
     * Unit prices in US dollars, to estimate a cost with. Free tiers are ignored. Override the
     * constants for your region, architecture or contract by building your own:
     * {@code new RelayCost.Prices(0.20 / 1e6, 0.0000133334, 0.40 / 1e6, 0.625 / 1e6, 0.125 / 1e6)} for Arm,
     * say.
     *
     * @param perLambdaRequest dollars per Lambda request
     * @param perLambdaGbSecond dollars per GB-second of Lambda duration
     * @param perSqsRequest dollars per SQS request (64 KiB chunk)
     * @param perLedgerWrite dollars per ledger write
     * @param perLedgerRead dollars per ledger read
     */
    public record Prices(double perLambdaRequest, double perLambdaGbSecond, double perSqsRequest,
            double perLedgerWrite, double perLedgerRead) {
        /**
         * List prices in us-east-1 for x86 functions, as published on
         * <a href="https://aws.amazon.com/lambda/pricing/">AWS Lambda pricing</a> ($0.20 per million
         * requests, $0.0000166667 per GB-second),
         * <a href="https://aws.amazon.com/sqs/pricing/">Amazon SQS pricing</a> (standard queues,
         * $0.40 per million requests, each 64 KiB chunk of a payload one request) and
         * <a href="https://aws.amazon.com/dynamodb/pricing/on-demand/">DynamoDB on-demand pricing</a>
         * ($0.625 per million write request units, $0.125 per million read request units; a strongly
         * consistent read of an item up to 4 KB is one). Check them against those pages; they change.
         */
        public static final Prices US_EAST_1 = new Prices(0.20 / 1_000_000, 0.0000166667, 0.40 / 1_000_000,
                0.625 / 1_000_000, 0.125 / 1_000_000);

        /**
         * Checks the prices.
         *
         * @param perLambdaRequest dollars per Lambda request
         * @param perLambdaGbSecond dollars per GB-second
         * @param perSqsRequest dollars per SQS request
         * @param perLedgerWrite dollars per ledger write
         * @param perLedgerRead dollars per ledger read
         * @throws IllegalArgumentException if a price is negative or not a number
         */
        public Prices {
            for (double p : new double[] {perLambdaRequest, perLambdaGbSecond, perSqsRequest, perLedgerWrite,
                    perLedgerRead}) {
                if (!(p >= 0) || Double.isInfinite(p)) {
                    throw new IllegalArgumentException("prices must be finite and not negative, got perLambdaRequest="
                            + perLambdaRequest + ", perLambdaGbSecond=" + perLambdaGbSecond + ", perSqsRequest="
                            + perSqsRequest + ", perLedgerWrite=" + perLedgerWrite + ", perLedgerRead=" + perLedgerRead);
                }
            }
        }
    }
}
