package io.lambdarelay;

import io.lambdarelay.internal.Queues;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Parks, pauses and wakes relays: a relay's queue is tagged with why it stopped, and every mapping
 * that reads it (found by the queue's ARN, never from a packet) is disabled or enabled again.
 * Nothing is deleted, so a parked or paused relay's packets wait in its queues. Thread-safe.
 */
final class Parking {
    private final Clients clients;
    private final QueueFacts facts;

    Parking(Clients clients, QueueFacts facts) {
        this.clients = clients;
        this.facts = facts;
    }

    /**
     * Parks a relay: tags its queue {@link Relay#TAG_PARKED} (with the reason) and disables its
     * mappings. Idempotent.
     *
     * @param queueUrl the relay queue
     * @param at when, ISO-8601
     * @param reason why, in words (no packet contents)
     * @return the mappings disabled now
     */
    int park(String queueUrl, String at, String reason) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Relay.TAG_PARKED, at);
        tags.put(Relay.TAG_PARKED_REASON, reason.length() > 256 ? reason.substring(0, 256) : reason);
        clients.sqs().tagQueue(r -> r.queueUrl(queueUrl).tags(tags));
        return setEnabled(queueUrl, false);
    }

    /**
     * Pauses a relay: tags its queue {@link Relay#TAG_PAUSED} and disables its mappings.
     *
     * @return the mappings disabled now
     */
    int pause(String queueUrl, String at) {
        clients.sqs().tagQueue(r -> r.queueUrl(queueUrl).tags(Map.of(Relay.TAG_PAUSED, at)));
        return setEnabled(queueUrl, false);
    }

    /**
     * Wakes a parked or paused relay: enables its mappings, then removes the tags that said why it
     * stopped.
     *
     * @return the mappings enabled now
     */
    int wake(String queueUrl) {
        int enabled = setEnabled(queueUrl, true);
        clients.sqs().untagQueue(r -> r.queueUrl(queueUrl).tagKeys(Relay.TAG_PARKED, Relay.TAG_PARKED_REASON,
                Relay.TAG_PAUSED));
        return enabled;
    }

    /** Enables or disables every mapping that reads the queue; returns how many changed. */
    int setEnabled(String queueUrl, boolean enabled) {
        Queues.Info info = facts.of(queueUrl);
        if (info == null) {
            throw QueueDoesNotExistException.builder().message("queue " + queueUrl + " does not exist").build();
        }
        int changed = 0;
        for (EventSourceMappingConfiguration m : clients.lambda().listEventSourceMappingsPaginator(r -> r
                .eventSourceArn(info.arn())).eventSourceMappings()) {
            boolean on = "Enabled".equals(m.state()) || "Enabling".equals(m.state());
            if (on == enabled) {
                continue;
            }
            try {
                clients.lambda().updateEventSourceMapping(r -> r.uuid(m.uuid()).enabled(enabled));
                changed++;
            } catch (ResourceNotFoundException e) {
                // deleted meanwhile
            } catch (SdkException e) {
                throw new RelayException("could not " + (enabled ? "enable" : "disable") + " event-source mapping "
                        + m.uuid() + " of queue " + queueUrl + " (" + e.getClass().getSimpleName() + "); the role "
                        + "needs lambda:UpdateEventSourceMapping; try again", e);
            }
        }
        return changed;
    }
}
