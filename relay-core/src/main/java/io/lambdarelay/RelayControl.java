package io.lambdarelay;

import io.lambdarelay.internal.Queues;
import io.lambdarelay.internal.RelayTeardown;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.ledger.PooledRelay.Control;
import io.lambdarelay.ledger.RelayLedger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Operates running relays by their id alone: list them, read one's status, pause, resume (also
 * after a fix, for a parked relay), cancel, and redrive. Everything is read from the relays'
 * queues (their tags and counts) and their event-source mappings, so it needs only the clients,
 * and a ledger for the parts' tally.
 * <pre>{@code
 * RelayControl control = RelayControl.builder().sqsClient(sqs).lambdaClient(lambda).build();
 * for (RelaySummary r : control.list()) { ... }
 * control.pause(relayId);                 // packets wait
 * control.resume(relayId);                // a parked relay: dead-lettered packets go back first
 * }</pre>
 * Relays in a pool ({@link RelaySetup.Builder#pooled(boolean)}) are found in the ledger, which
 * holds their state: pausing, parking, resuming and cancelling one of them changes its entry
 * there, and its packets (in the pool's queue with every other relay's) wait or are dropped as
 * they arrive; the pool itself is never touched. Their queue counts are the pool's, so a pooled
 * relay's status shows none ({@code -1}).
 * The {@code relay} command line does the same. Calls {@code sqs:ListQueues},
 * {@code sqs:ListQueueTags}, {@code sqs:GetQueueAttributes}, {@code sqs:TagQueue},
 * {@code sqs:UntagQueue}, and for resume, redrive and cancel also the calls of
 * {@link Relay#redrive} and {@link Relay#tearDown}; {@code lambda:ListEventSourceMappings},
 * {@code lambda:GetEventSourceMapping}, {@code lambda:UpdateEventSourceMapping} and
 * {@code lambda:DeleteEventSourceMapping}. Thread-safe; it never closes the clients it was given.
 */
public final class RelayControl {
    private static final Logger LOG = LoggerFactory.getLogger(RelayControl.class);

    private final SqsClient sqs;
    private final LambdaClient lambda;
    private final RelayLedger ledger;
    private final Clock clock;
    private final Relay relay;
    private final RelayFinder finder;

    private RelayControl(Builder b) {
        this.sqs = b.sqsClient;
        this.lambda = b.lambdaClient;
        this.ledger = b.ledger;
        this.clock = b.clock;
        this.finder = new RelayFinder(sqs, lambda, b.queueNamePrefix);
        this.relay = Relay.builder().sqsClient(sqs).lambdaClient(lambda).ledger(ledger).clock(clock)
                .maxPacketBytes(1_048_576).build(); // redrive reads packets of any size the relay allowed
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Lists the relays whose queues' names start with the prefix, oldest first.
     *
     * @return the relays
     */
    public List<RelaySummary> list() {
        List<RelaySummary> out = new ArrayList<>();
        if (ledger != null && ledger.keepsPooledRelays()) {
            for (PooledRelay p : ledger.pooledRelays()) {
                out.add(pooledSummary(p));
            }
        }
        Map<String, RelayFinder.Found> found = new LinkedHashMap<>();
        for (String url : finder.queueUrls()) {
            Map<String, String> tags = finder.tagsOrNull(url);
            String id = tags == null ? null : tags.get(Relay.TAG_RELAY_ID);
            if (id != null) {
                found.merge(id, RelayFinder.found(id, url, tags), RelayFinder::merge);
            }
        }
        for (RelayFinder.Found f : found.values()) {
            out.add(RelayFinder.summary(f, finder.mappingsOf(f)));
        }
        out.sort(Comparator.comparing(RelaySummary::created, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(RelaySummary::relayId));
        return out;
    }

    /**
     * Reads a relay's status.
     *
     * @param relayId the relay's id
     * @return its state, counts, mappings and, with a ledger, its tally, its hops and cost so far,
     *     and the time of its last hop
     * @throws UnknownRelayException when no queue under the prefix carries the id
     */
    public RelayStatus status(String relayId) {
        Optional<PooledRelay> pooled = pooled(relayId);
        if (pooled.isPresent()) {
            return pooledStatus(pooled.get());
        }
        RelayFinder.Found f = finder.find(relayId);
        List<RelayStatus.Mapping> mappings = finder.mappingsOf(f);
        RelaySummary summary = RelayFinder.summary(f, mappings);
        long visible = -1;
        long inFlight = -1;
        long delayed = -1;
        if (f.queueUrl() != null) {
            try {
                Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(f.queueUrl())
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
                visible = RelayFinder.count(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
                inFlight = RelayFinder.count(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
                delayed = RelayFinder.count(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
            } catch (QueueDoesNotExistException e) {
                LOG.debug("relay {}: its queue went during the status", relayId);
            }
        }
        long dead = f.dlqUrl() == null ? -1 : Queues.countMessages(sqs, f.dlqUrl());
        PartTally tally = ledger == null ? null : ledger.tally(relayId);
        return new RelayStatus(summary, visible, inFlight, delayed, dead, mappings,
                tally == null ? OptionalLong.empty() : OptionalLong.of(tally.done()),
                tally == null ? OptionalLong.empty() : OptionalLong.of(tally.failed()),
                tally == null ? OptionalLong.empty() : OptionalLong.of(tally.units()),
                ledger == null ? Optional.empty() : ledger.cost(relayId),
                ledger == null ? Optional.empty() : ledger.lastProgress(relayId));
    }

    /**
     * Pauses a running relay: its mappings are disabled, so its packets wait in its queue (a
     * packet being worked on finishes its hop and waits too). Pausing a paused or parked relay
     * changes nothing.
     *
     * @param relayId the relay's id
     * @return its status after
     * @throws UnknownRelayException when no queue under the prefix carries the id
     * @throws RelayStateException when it is draining or failed
     */
    public RelayStatus pause(String relayId) {
        Optional<PooledRelay> pooled = pooled(relayId);
        if (pooled.isPresent()) {
            ledger.movePooled(relayId, Control.PAUSED, "", clock.instant(), EnumSet.of(Control.RUNNING));
            LOG.info("relay {} paused in its pool", relayId);
            return status(relayId);
        }
        RelayFinder.Found f = finder.find(relayId);
        RelayState state = RelayFinder.summary(f, finder.mappingsOf(f)).state();
        if (state == RelayState.RUNNING) {
            relay.wiring().parking().pause(f.queueUrl(), clock.instant().toString());
            LOG.info("relay {} paused", relayId);
        } else if (state == RelayState.DRAINING || state == RelayState.FAILED) {
            throw new RelayStateException(state, "relay " + relayId + " is " + state + ": nothing to pause");
        }
        return status(relayId);
    }

    /**
     * Resumes a relay. A paused one: its mappings are enabled. A parked one: first its
     * dead-lettered packets go back to its queue (each as the next hop of its chain, a part the
     * ledger counted as failed running again), then its mappings are enabled, so it goes on under
     * the same id with the code deployed now. A running relay is left as it is.
     *
     * @param relayId the relay's id
     * @return what resuming did
     * @throws UnknownRelayException when no queue under the prefix carries the id
     * @throws RelayStateException when it is draining or failed (its queue is gone, or no mapping
     *     reads it): start a new relay with the dead-lettered packets instead
     */
    public Resumed resume(String relayId) {
        Optional<PooledRelay> pooled = pooled(relayId);
        if (pooled.isPresent()) {
            return resumePooled(pooled.get());
        }
        RelayFinder.Found f = finder.find(relayId);
        RelaySummary before = RelayFinder.summary(f, finder.mappingsOf(f));
        switch (before.state()) {
            case RUNNING:
                return new Resumed(relayId, RelayState.RUNNING, 0, 0);
            case PAUSED: {
                int enabled = relay.wiring().parking().wake(f.queueUrl());
                LOG.info("relay {} resumed: {} mapping(s) enabled", relayId, enabled);
                return new Resumed(relayId, RelayState.PAUSED, 0, enabled);
            }
            case PARKED: {
                if (ledger == null && !before.ledger().isEmpty()) {
                    throw new RelayStateException(RelayState.PARKED, "relay " + relayId + " keeps its fan-in in a "
                            + "ledger (" + before.ledger() + "): resume it with that ledger (RelayControl.Builder."
                            + "ledger, or relay resume with --ledger-table), so that its failed parts count again");
                }
                int moved = relay.wiring().redrive().run(f.queueUrl(), relayId);
                int enabled = relay.wiring().parking().wake(f.queueUrl());
                LOG.info("relay {} resumed after parking: {} packet(s) moved back, {} mapping(s) enabled", relayId,
                        moved, enabled);
                return new Resumed(relayId, RelayState.PARKED, moved, enabled);
            }
            default:
                throw new RelayStateException(before.state(), "relay " + relayId + " is " + before.state()
                        + (before.detail().isEmpty() ? "" : " (" + before.detail() + ")") + ": it cannot be resumed; "
                        + "start a new relay" + (f.dlqUrl() != null ? " with the packets in " + f.dlqUrl() : ""));
        }
    }

    /**
     * What {@link #resume(String)} did.
     *
     * @param relayId the relay
     * @param from its state before
     * @param packetsMovedBack dead-lettered packets moved back to its queue
     * @param mappingsEnabled mappings enabled
     */
    public record Resumed(String relayId, RelayState from, int packetsMovedBack, int mappingsEnabled) {
    }

    /**
     * Cancels a relay: tears it down (its mappings, then its queue) whatever its queue holds. Its
     * dead-letter queue is deleted if empty and kept, and reported, if not. A relay already gone
     * but for a dead-letter queue: that queue is deleted if empty.
     *
     * @param relayId the relay's id
     * @return what was deleted and kept
     * @throws UnknownRelayException when no queue under the prefix carries the id
     */
    public TearDownResult cancel(String relayId) {
        Optional<PooledRelay> pooled = pooled(relayId);
        if (pooled.isPresent()) {
            ledger.movePooled(relayId, Control.CANCELLED, "cancelled", clock.instant(),
                    EnumSet.of(Control.RUNNING, Control.PAUSED, Control.PARKED));
            String dlq = deadLetterQueueOf(pooled.get().queueUrl());
            LOG.info("relay {} cancelled in its pool: its packets are dropped as they arrive; any dead-lettered ones "
                    + "stay in {}", relayId, dlq);
            return new TearDownResult(false, false, false, false, 0, dlq);
        }
        RelayFinder.Found f = finder.find(relayId);
        if (f.queueUrl() == null) {
            long n = Queues.countMessages(sqs, f.dlqUrl());
            boolean deleted = n == 0 && Queues.delete(sqs, f.dlqUrl());
            return new TearDownResult(false, false, deleted, n > 0, Math.max(0, n), f.dlqUrl());
        }
        RelayTeardown.Result r = RelayTeardown.run(sqs, lambda, f.queueUrl(), null, RelaySetup.DLQ_SUFFIX, false,
                clock.instant(), (step, e) -> new TearDownException("could not " + step + " (" + e.getClass()
                        .getSimpleName() + "); cancel again, or let the janitor finish it", f.queueUrl(), e));
        LOG.info("relay {} cancelled: mapping {}, queue {}, dead-letter queue {}", relayId,
                r.mappingDeleted() ? "deleted" : "already gone", r.queueDeleted() ? "deleted" : "already gone",
                r.dlqDeleted() ? "deleted" : r.dlqKept() ? "kept with " + r.dlqMessages() + " packet(s)" : "none");
        return new TearDownResult(r.mappingDeleted(), r.queueDeleted(), r.dlqDeleted(), r.dlqKept(), r.dlqMessages(),
                r.dlqUrl());
    }

    /**
     * Moves a live relay's dead-lettered packets back to its queue, as {@link Relay#redrive} does,
     * without touching its mappings (for a running relay whose tolerated parts failed).
     *
     * @param relayId the relay's id
     * @return the packets moved back
     * @throws UnknownRelayException when no queue under the prefix carries the id
     * @throws RelayStateException when its queue is gone
     */
    public int redrive(String relayId) {
        Optional<PooledRelay> pooled = pooled(relayId);
        if (pooled.isPresent()) {
            return relay.wiring().redrive().run(pooled.get().queueUrl(), relayId);
        }
        RelayFinder.Found f = finder.find(relayId);
        if (f.queueUrl() == null) {
            throw new RelayStateException(RelayState.FAILED, "relay " + relayId + " has no queue any more; start a new "
                    + "relay with the packets in " + f.dlqUrl());
        }
        return relay.wiring().redrive().run(f.queueUrl(), relayId);
    }

    /** The relay in a pool, if the ledger keeps pooled relays and holds this one, not over. */
    private Optional<PooledRelay> pooled(String relayId) {
        Objects.requireNonNull(relayId, "relayId");
        if (ledger == null || !ledger.keepsPooledRelays()) {
            return Optional.empty();
        }
        return ledger.pooledRelay(relayId).filter(p -> !p.control().over());
    }

    private Resumed resumePooled(PooledRelay p) {
        String relayId = p.relayId();
        switch (p.control()) {
            case PAUSED:
                ledger.movePooled(relayId, Control.RUNNING, "", clock.instant(), EnumSet.of(Control.PAUSED));
                LOG.info("relay {} resumed in its pool: its packets go on as they come back", relayId);
                return new Resumed(relayId, RelayState.PAUSED, 0, 0);
            case PARKED: {
                int moved = relay.wiring().redrive().run(p.queueUrl(), relayId);
                ledger.movePooled(relayId, Control.RUNNING, "", clock.instant(), EnumSet.of(Control.PARKED));
                LOG.info("relay {} resumed in its pool after parking: {} packet(s) moved back", relayId, moved);
                return new Resumed(relayId, RelayState.PARKED, moved, 0);
            }
            default:
                return new Resumed(relayId, RelayState.RUNNING, 0, 0);
        }
    }

    private RelaySummary pooledSummary(PooledRelay p) {
        RelayState state = switch (p.control()) {
            case PAUSED -> RelayState.PAUSED;
            case PARKED -> RelayState.PARKED;
            default -> RelayState.RUNNING;
        };
        String detail = switch (p.control()) {
            case PAUSED -> "in a pool, paused " + p.changed();
            case PARKED -> p.reason() + ", parked " + p.changed();
            default -> "in a pool";
        };
        return new RelaySummary(p.relayId(), p.workerFunction(), state, p.created(), p.expires(), p.queueUrl(),
                deadLetterQueueOf(p.queueUrl()), detail, ledger.describe());
    }

    private RelayStatus pooledStatus(PooledRelay p) {
        PartTally tally = ledger.tally(p.relayId());
        return new RelayStatus(pooledSummary(p), -1, -1, -1, -1, List.of(), OptionalLong.of(tally.done()),
                OptionalLong.of(tally.failed()), OptionalLong.of(tally.units()), ledger.cost(p.relayId()),
                ledger.lastProgress(p.relayId()));
    }

    /** The pool's dead-letter queue, or null if it cannot be read. */
    private String deadLetterQueueOf(String queueUrl) {
        try {
            Queues.Info info = relay.wiring().facts().of(queueUrl);
            return info == null ? null : info.deadLetterQueueUrl();
        } catch (RuntimeException e) {
            LOG.debug("could not read the redrive policy of {}: {}", queueUrl, e.getClass().getSimpleName());
            return null;
        }
    }

    /** Builds a {@link RelayControl}. Not thread-safe. */
    public static final class Builder {
        private SqsClient sqsClient;
        private LambdaClient lambdaClient;
        private RelayLedger ledger;
        private Clock clock = Clock.systemUTC();
        private String queueNamePrefix = "relay-";

        private Builder() {
        }

        /**
         * Sets the SQS client; required. Never closed by the control.
         *
         * @param sqsClient the client
         * @return this builder
         */
        public Builder sqsClient(SqsClient sqsClient) {
            this.sqsClient = sqsClient;
            return this;
        }

        /**
         * Sets the Lambda client; required. Never closed by the control.
         *
         * @param lambdaClient the client
         * @return this builder
         */
        public Builder lambdaClient(LambdaClient lambdaClient) {
            this.lambdaClient = lambdaClient;
            return this;
        }

        /**
         * Sets the ledger the relays use, for the parts' tally in {@link RelayControl#status} and
         * so that resuming a parked fan-out takes its failed parts back to running. Optional.
         *
         * @param ledger the ledger, or null
         * @return this builder
         */
        public Builder ledger(RelayLedger ledger) {
            this.ledger = ledger;
            return this;
        }

        /**
         * Sets the clock that dates pauses. Default: the UTC system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the prefix of the queue names to look at. Default {@code relay-}, the prefix of
         * generated names; relays with a {@code queueName} of their own need their prefix here.
         *
         * @param queueNamePrefix a non-empty prefix
         * @return this builder
         */
        public Builder queueNamePrefix(String queueNamePrefix) {
            this.queueNamePrefix = queueNamePrefix;
            return this;
        }

        /**
         * Validates and builds the control.
         *
         * @return the control
         * @throws IllegalArgumentException naming the missing or bad setting
         */
        public RelayControl build() {
            if (sqsClient == null || lambdaClient == null) {
                throw new IllegalArgumentException("sqsClient and lambdaClient are required");
            }
            if (queueNamePrefix == null || queueNamePrefix.isEmpty()) {
                throw new IllegalArgumentException("queueNamePrefix must not be empty: the control would look at "
                        + "every queue of the account");
            }
            return new RelayControl(this);
        }
    }
}
