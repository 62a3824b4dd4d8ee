package io.lambdarelay;

import io.lambdarelay.internal.Queues;
import io.lambdarelay.internal.RelayTeardown;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Finds relays by id among the queues under a prefix, from their tags, and reads their state from
 * those tags and the mappings that read their queues; for {@link RelayControl}. Thread-safe.
 */
final class RelayFinder {
    private final SqsClient sqs;
    private final LambdaClient lambda;
    private final String prefix;

    RelayFinder(SqsClient sqs, LambdaClient lambda, String prefix) {
        this.sqs = sqs;
        this.lambda = lambda;
        this.prefix = prefix;
    }

    /** A relay's queues and their tags, as found. */
    record Found(String relayId, String queueUrl, Map<String, String> queueTags, String dlqUrl,
            Map<String, String> dlqTags) {
        Map<String, String> tags() {
            return queueTags != null ? queueTags : dlqTags;
        }
    }

    Found find(String relayId) {
        Objects.requireNonNull(relayId, "relayId");
        List<String> urls = queueUrls();
        Found f = null;
        // Generated names end in the id (and "-dlq"): look at those first, then at every queue.
        for (boolean byName : new boolean[] {true, false}) {
            for (String url : urls) {
                String name = url.substring(url.lastIndexOf('/') + 1);
                boolean named = name.endsWith("-" + relayId) || name.endsWith("-" + relayId + RelaySetup.DLQ_SUFFIX);
                if (named != byName) {
                    continue;
                }
                Map<String, String> tags = tagsOrNull(url);
                if (tags != null && relayId.equals(tags.get(Relay.TAG_RELAY_ID))) {
                    Found one = found(relayId, url, tags);
                    f = f == null ? one : merge(f, one);
                }
            }
            if (f != null && f.queueUrl() != null) {
                break;
            }
        }
        if (f == null) {
            throw new UnknownRelayException(relayId, "no relay " + relayId + " among the " + urls.size()
                    + " queue(s) whose names start with '" + prefix + "'; check the id, the region and account of "
                    + "the clients, and the queue name prefix (relays set up with a queueName of their own need it)");
        }
        return f;
    }

    static Found found(String relayId, String url, Map<String, String> tags) {
        boolean dlq = "dlq".equals(tags.get(Relay.TAG_ROLE));
        return dlq ? new Found(relayId, null, null, url, tags) : new Found(relayId, url, tags, null, null);
    }

    static Found merge(Found a, Found b) {
        return new Found(a.relayId(), a.queueUrl() != null ? a.queueUrl() : b.queueUrl(),
                a.queueTags() != null ? a.queueTags() : b.queueTags(), a.dlqUrl() != null ? a.dlqUrl() : b.dlqUrl(),
                a.dlqTags() != null ? a.dlqTags() : b.dlqTags());
    }

    List<RelayStatus.Mapping> mappingsOf(Found f) {
        List<RelayStatus.Mapping> out = new ArrayList<>();
        if (f.queueUrl() == null) {
            return out;
        }
        String arn;
        try {
            arn = Queues.arn(sqs, f.queueUrl());
        } catch (QueueDoesNotExistException e) {
            return out;
        }
        for (EventSourceMappingConfiguration m : lambda.listEventSourceMappingsPaginator(r -> r.eventSourceArn(arn))
                .eventSourceMappings()) {
            out.add(new RelayStatus.Mapping(m.uuid(), m.state()));
        }
        return out;
    }

    static RelaySummary summary(Found f, List<RelayStatus.Mapping> mappings) {
        Map<String, String> tags = f.tags();
        RelayState state;
        String detail = "";
        if (f.queueUrl() == null) {
            state = RelayState.FAILED;
            detail = "its queue is gone; its dead-letter queue is kept";
        } else if (tags.containsKey(RelayTeardown.TAG_ENDING)) {
            state = RelayState.DRAINING;
            detail = "tear-down began " + tags.get(RelayTeardown.TAG_ENDING);
        } else if (tags.containsKey(Relay.TAG_PARKED)) {
            state = RelayState.PARKED;
            detail = tags.getOrDefault(Relay.TAG_PARKED_REASON, "dead-lettered") + ", parked "
                    + tags.get(Relay.TAG_PARKED);
        } else if (tags.containsKey(Relay.TAG_PAUSED)) {
            state = RelayState.PAUSED;
            detail = "paused " + tags.get(Relay.TAG_PAUSED);
        } else if (mappings.isEmpty()) {
            state = RelayState.FAILED;
            detail = "no event-source mapping reads its queue";
        } else if (mappings.stream().anyMatch(m -> "Enabled".equals(m.state()) || "Enabling".equals(m.state())
                || "Creating".equals(m.state()) || "Updating".equals(m.state()))) {
            state = RelayState.RUNNING;
        } else {
            state = RelayState.PAUSED;
            detail = "its mappings were disabled outside the relay's control";
        }
        return new RelaySummary(f.relayId(), tags.get(Relay.TAG_FUNCTION), state, instant(tags.get(Relay.TAG_CREATED)),
                instant(tags.get(Relay.TAG_EXPIRES)), f.queueUrl(), f.dlqUrl(), detail,
                tags.getOrDefault(Relay.TAG_LEDGER, ""));
    }

    List<String> queueUrls() {
        return Queues.urlsWithPrefix(sqs, prefix);
    }

    Map<String, String> tagsOrNull(String url) {
        try {
            return sqs.listQueueTags(r -> r.queueUrl(url)).tags();
        } catch (QueueDoesNotExistException e) {
            return null;
        }
    }

    static long count(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Instant instant(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

}
