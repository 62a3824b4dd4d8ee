package io.lambdarelay;

import io.lambdarelay.ledger.RelayLedger;
import java.time.Clock;
import java.util.function.Consumer;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The internal pieces of one {@link Relay}, built once: its facade delegates to them and its
 * workers' {@link HopRunner}s use them directly.
 *
 * @param clients the SDK clients, and which of them the relay owns
 * @param clock the clock for tags, deadlines, pacing and long delays
 * @param facts what the relay queues say about themselves (ARN, dead-letter queue, receive limit)
 * @param fanIn the ledger as workers use it, or {@link FanIn#NONE}
 * @param sender every send: pass, batched pass, dead-letter
 * @param redrive moves dead-lettered packets back
 * @param resources setup, tear-down and counts of the relay's queues and mapping
 * @param watchdog the drain watchdog of fan-outs without a ledger
 * @param adaptiveRates the shares of adaptive rate limits found here
 * @param beforeUnit called before each unit, as part of it
 * @param backOff how back-offs wait and draw their jitter
 * @param metrics takes each worker invocation's figures to the metrics listener
 * @param parking parks, pauses and wakes relays
 * @param values the value mapper of every packet the relay makes or reads
 */
record Wiring(Clients clients, Clock clock, QueueFacts facts, FanIn fanIn, Sender sender, Redrive redrive,
        RelayResources resources, DrainWatchdog watchdog, AdaptiveRates adaptiveRates,
        Consumer<RelayPacket> beforeUnit, BackOff backOff, MetricsReporter metrics, Parking parking, ValueCodec values) {

    static Wiring of(SqsClient sqs, LambdaClient lambda, Clock clock, int maxPacketBytes, RelayLedger ledger,
            BackOff backOff, Consumer<RelayPacket> beforeUnit, RelayMetricsListener metrics, ValueCodec values) {
        Clients clients = new Clients(sqs, lambda);
        QueueFacts facts = new QueueFacts(clients);
        FanIn fanIn = FanIn.of(ledger, clock);
        Sender sender = new Sender(clients, facts, clock, maxPacketBytes, backOff, fanIn);
        RelayResources resources = new ResourcesByMode(
                new QueuePerRelay(clients, facts, clock, ledger == null ? null : ledger.describe(), values),
                new PooledQueues(clients, facts, clock, ledger, values));
        return new Wiring(clients, clock, facts, fanIn, sender, new Redrive(clients, facts, sender, fanIn,
                maxPacketBytes, values), resources, new DrainWatchdog(sender, resources, clock), new AdaptiveRates(),
                beforeUnit, backOff, new MetricsReporter(metrics), new Parking(clients, facts), values);
    }
}
