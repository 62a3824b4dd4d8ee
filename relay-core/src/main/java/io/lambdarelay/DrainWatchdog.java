package io.lambdarelay;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a fan-out that has no ledger: a packet of its own that comes back every
 * {@link #PERIOD}, and once the relay queue (visible, in flight and delayed) was empty on two
 * checks a period apart, completes the relay, or fails it if more parts are in the dead-letter
 * queue than tolerated. Approximate, and documented as such: SQS's counts may lag, and a part
 * passed with a delay longer than a period after the queue looked empty would be torn down under.
 * With a ledger, completion is exact and no watchdog runs. Thread-safe.
 */
final class DrainWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(DrainWatchdog.class);
    /** How often the watchdog looks at the queue, and how long it must stay empty. */
    static final Duration PERIOD = Duration.ofSeconds(60);

    private final Sender sender;
    private final RelayResources resources;
    private final Clock clock;

    DrainWatchdog(Sender sender, RelayResources resources, Clock clock) {
        this.sender = sender;
        this.resources = resources;
        this.clock = clock;
    }

    /**
     * What a watch decided.
     *
     * @param complete the relay is done: complete it and tear it down
     * @param failure the relay failed (too many dead-lettered parts), or {@code null}
     * @param deadLettered the parts in the dead-letter queue when it decided
     */
    record Verdict(boolean complete, RelayFailure failure, long deadLettered) {
        static final Verdict WATCHING = new Verdict(false, null, 0);
    }

    /** Starts the watchdog of a relay split into {@code parts}; returns its message id. */
    String start(RelayPacket pkt, int parts) {
        RelayPacket dog = RelayPacket.create(pkt.header().asPart(0, parts), pkt.policy(), pkt.values());
        dog.hopState(HopState.START.withKind(HopState.Kind.WATCHDOG));
        return sender.pass(dog, PERIOD);
    }

    /** Looks at the queue once: passes itself on to look again, or says the relay is done or failed. */
    Verdict watch(RelayPacket dog) {
        long others = Math.max(0, resources.queued(dog).orElse(0) - 1); // its own message is in flight
        long now = clock.millis();
        if (others > 0) {
            dog.hopState(dog.hopState().withEmptySince(0));
            sender.pass(dog, PERIOD);
            return Verdict.WATCHING;
        }
        long emptySince = dog.hopState().emptySince();
        if (emptySince == 0 || now - emptySince < PERIOD.toMillis()) {
            if (emptySince == 0) {
                dog.hopState(dog.hopState().withEmptySince(now));
            }
            sender.pass(dog, PERIOD);
            return Verdict.WATCHING;
        }
        long failed = resources.deadLettered(dog).orElse(0);
        long tolerated = dog.policy().toleratedFailures();
        if (failed > tolerated) {
            return new Verdict(false, new RelayFailure(RelayFailure.Reason.TOO_MANY_FAILED_PARTS, dog.relayId(),
                    "relay " + dog.relayId() + ": about " + failed + " of " + dog.partCount() + " parts are in the "
                            + "dead-letter queue, more than the " + tolerated + " tolerated"), failed);
        }
        LOG.info("relay {}: queue stayed empty for {} ms; completing {} parts (watchdog)", dog.relayId(),
                now - emptySince, dog.partCount());
        return new Verdict(true, null, failed);
    }
}
