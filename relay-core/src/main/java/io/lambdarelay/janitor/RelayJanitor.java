package io.lambdarelay.janitor;

import io.lambdarelay.Relay;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.internal.Queues;
import io.lambdarelay.internal.RelayTeardown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Finds relays by their queues' tags and removes the ones that are expired or idle: the mappings
 * that read their queues, the relay queue, and the dead-letter queue if it is empty (a dead-letter
 * queue holding messages is kept and reported).
 *
 * <ul>
 *   <li><b>Expired</b>: the {@code lambda-relay:expires} tag lies in the past.</li>
 *   <li><b>Idle</b>: the relay queue held no message (visible, in flight or delayed) on two sweeps
 *       at least {@code idleAfter} apart. A live chain always has its packet in the queue, so an
 *       empty queue means the chain died: a worker crashed for good, or a setup crashed between
 *       creating the queues and the mapping. The first empty sighting is remembered in the tag
 *       {@code lambda-relay:idle-since}, so the janitor itself keeps no state.</li>
 *   <li>A <b>parked</b> or <b>paused</b> relay (tagged {@link Relay#TAG_PARKED} or
 *       {@link Relay#TAG_PAUSED}) is never idle: it waits for a resume, and only its expiry
 *       removes it.</li>
 *   <li><b>Half torn down</b>: a tear-down began (the queue carries the tag
 *       {@code lambda-relay:ending}) more than {@link #ENDING_GRACE} ago but the queue is still
 *       there, because a step after the mapping's deletion failed. Nothing will deliver its
 *       messages again, so the janitor finishes the tear-down whatever the queue holds: the relay
 *       had ended.</li>
 * </ul>
 *
 * <p>Run it on a schedule with {@link RelayJanitorHandler}. Calls {@code sqs:ListQueues},
 * {@code sqs:ListQueueTags}, {@code sqs:GetQueueAttributes}, {@code sqs:TagQueue},
 * {@code sqs:UntagQueue}, {@code sqs:DeleteQueue}, {@code lambda:ListEventSourceMappings} and
 * {@code lambda:DeleteEventSourceMapping}. Thread-safe; it never closes the clients it was given.
 */
public final class RelayJanitor {
    /** Tag remembering when a relay queue was first seen empty. */
    public static final String TAG_IDLE_SINCE = Relay.TAG_PREFIX + "idle-since";
    /**
     * How long after a tear-down began (the tag {@code lambda-relay:ending}) the janitor finishes
     * it: longer than any Lambda invocation, so a tear-down still running is not raced.
     */
    public static final Duration ENDING_GRACE = Duration.ofMinutes(15);

    private static final Logger LOG = LoggerFactory.getLogger(RelayJanitor.class);

    private final SqsClient sqs;
    private final LambdaClient lambda;
    private final Clock clock;
    private final String queueNamePrefix;
    private final Duration idleAfter;

    private RelayJanitor(Builder b) {
        this.sqs = b.sqsClient;
        this.lambda = b.lambdaClient;
        this.clock = b.clock;
        this.queueNamePrefix = b.queueNamePrefix;
        this.idleAfter = b.idleAfter;
    }

    /**
     * Starts a builder.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Looks at every tagged relay queue whose name starts with the prefix and removes the expired
     * and idle relays. Failures on one queue are recorded in the report and do not stop the sweep.
     *
     * @return what was removed, kept and marked
     */
    public JanitorReport sweep() {
        Instant now = clock.instant();
        JanitorReport.Builder report = new JanitorReport.Builder();
        List<String> urls = Queues.urlsWithPrefix(sqs, queueNamePrefix);

        for (String url : urls) {
            try {
                sweepQueue(url, now, report);
            } catch (QueueDoesNotExistException e) {
                LOG.debug("queue {} disappeared during the sweep", url);
            } catch (SdkException e) {
                report.error(url + ": " + e.getClass().getSimpleName());
                LOG.warn("janitor could not sweep {}: {}", url, e.getClass().getSimpleName());
            }
        }
        JanitorReport r = report.build();
        LOG.info("janitor swept {} queue(s): removed {} relay(s), kept {} dead-letter queue(s), marked {} idle, {} error(s)",
                urls.size(), r.removedRelays().size(), r.keptDeadLetterQueues().size(), r.markedIdle().size(),
                r.errors().size());
        return r;
    }

    private void sweepQueue(String url, Instant now, JanitorReport.Builder report) {
        Map<String, String> tags = sqs.listQueueTags(r -> r.queueUrl(url)).tags();
        String relayId = tags.get(Relay.TAG_RELAY_ID);
        if (relayId == null) {
            return; // not a relay's queue
        }
        boolean isDlq = "dlq".equals(tags.get(Relay.TAG_ROLE));
        boolean expired = isBefore(tags.get(Relay.TAG_EXPIRES), now);
        long messages = countMessages(url);
        if (isDlq) {
            if (expired || !relayQueueExists(url)) {
                if (messages > 0) {
                    report.keptDlq(url);
                    LOG.warn("janitor keeps dead-letter queue {} of relay {}: it holds {} message(s)", url, relayId,
                            messages);
                } else {
                    deleteQueue(url);
                    report.removedQueue(url);
                }
            }
            return;
        }
        boolean idle = false;
        boolean stopped = tags.containsKey(Relay.TAG_PARKED) || tags.containsKey(Relay.TAG_PAUSED);
        if (stopped) {
            // Parked or paused on purpose: its packets wait for a resume; only its expiry removes it.
            if (tags.containsKey(TAG_IDLE_SINCE)) {
                sqs.untagQueue(r -> r.queueUrl(url).tagKeys(TAG_IDLE_SINCE));
            }
        } else if (messages == 0) {
            String since = tags.get(TAG_IDLE_SINCE);
            if (since == null) {
                if (!expired) {
                    sqs.tagQueue(r -> r.queueUrl(url).tags(Map.of(TAG_IDLE_SINCE, now.toString())));
                    report.markedIdle(relayId);
                }
            } else {
                idle = isBefore(since, now.minus(idleAfter).plusMillis(1));
            }
        } else if (tags.containsKey(TAG_IDLE_SINCE)) {
            sqs.untagQueue(r -> r.queueUrl(url).tagKeys(TAG_IDLE_SINCE));
        }
        boolean unfinished = isBefore(tags.get(RelayTeardown.TAG_ENDING), now.minus(ENDING_GRACE));
        if (expired || idle || unfinished) {
            removeRelayQueue(url, relayId, unfinished ? "half torn-down" : expired ? "expired" : "idle", report);
        }
    }

    private void removeRelayQueue(String url, String relayId, String why, JanitorReport.Builder report) {
        RelayTeardown.Result r = RelayTeardown.run(sqs, lambda, url, null, RelaySetup.DLQ_SUFFIX, false,
                clock.instant(), (step, e) -> e);
        if (r.dlqKept()) {
            report.keptDlq(r.dlqUrl());
        }
        report.removedRelay(relayId);
        LOG.info("janitor removed {} relay {} ({})", why, relayId, url);
    }

    private boolean relayQueueExists(String dlqUrl) {
        if (!dlqUrl.endsWith(RelaySetup.DLQ_SUFFIX)) {
            return false;
        }
        return countMessages(dlqUrl.substring(0, dlqUrl.length() - RelaySetup.DLQ_SUFFIX.length())) >= 0;
    }

    private long countMessages(String url) {
        return Queues.countMessages(sqs, url);
    }

    private void deleteQueue(String url) {
        Queues.delete(sqs, url);
    }

    private static boolean isBefore(String isoInstant, Instant now) {
        if (isoInstant == null) {
            return false;
        }
        try {
            return Instant.parse(isoInstant).isBefore(now);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** Builds a {@link RelayJanitor}. Not thread-safe. */
    public static final class Builder {
        private SqsClient sqsClient;
        private LambdaClient lambdaClient;
        private Clock clock = Clock.systemUTC();
        private String queueNamePrefix = "relay-";
        private Duration idleAfter = Duration.ofHours(1);

        private Builder() {
        }

        /**
         * Sets the SQS client; required. Never closed by the janitor.
         *
         * @param sqsClient the client
         * @return this builder
         */
        public Builder sqsClient(SqsClient sqsClient) {
            this.sqsClient = sqsClient;
            return this;
        }

        /**
         * Sets the Lambda client; required. Never closed by the janitor.
         *
         * @param lambdaClient the client
         * @return this builder
         */
        public Builder lambdaClient(LambdaClient lambdaClient) {
            this.lambdaClient = lambdaClient;
            return this;
        }

        /**
         * Sets the clock. Default: the UTC system clock.
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
         * generated names; relays with caller-chosen names need their own prefix here.
         *
         * @param queueNamePrefix a non-empty prefix
         * @return this builder
         */
        public Builder queueNamePrefix(String queueNamePrefix) {
            this.queueNamePrefix = queueNamePrefix;
            return this;
        }

        /**
         * Sets how long a relay queue must stay empty before the relay counts as idle. Default one
         * hour; keep it longer than the longest delay your relays pass packets with.
         *
         * @param idleAfter at least one minute
         * @return this builder
         */
        public Builder idleAfter(Duration idleAfter) {
            this.idleAfter = idleAfter;
            return this;
        }

        /**
         * Validates and builds the janitor.
         *
         * @return the janitor
         * @throws IllegalArgumentException naming the bad setting
         */
        public RelayJanitor build() {
            if (sqsClient == null || lambdaClient == null) {
                throw new IllegalArgumentException("sqsClient and lambdaClient are required");
            }
            if (queueNamePrefix == null || queueNamePrefix.isEmpty()) {
                throw new IllegalArgumentException("queueNamePrefix must not be empty: the janitor would look at every queue");
            }
            if (idleAfter == null || idleAfter.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("idleAfter must be at least one minute, got " + idleAfter);
            }
            return new RelayJanitor(this);
        }
    }
}
