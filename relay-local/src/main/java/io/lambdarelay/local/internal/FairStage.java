package io.lambdarelay.local.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emulation of an SQS fair queue for one queue: the pollers take every visible message into
 * this stage (kept invisible in the queue meanwhile), grouped by {@code MessageGroupId} (a message
 * without one is a group of its own, as on AWS), and each batch comes from the groups with the
 * fewest messages in flight, one message a group in turn, oldest first within a group. So a group
 * with thousands of messages (a noisy tenant) does not delay a group with one: its messages wait
 * while quieter groups have some, as SQS fair queues prioritise quiet tenants. An approximation of
 * AWS's rule (which marks a tenant noisy above a share of the in-flight messages), not a copy.
 * Thread-safe.
 */
final class FairStage {
    private final Map<String, ArrayDeque<ReceivedMessage>> waiting = new LinkedHashMap<>();
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Map<String, Long> lastServed = new HashMap<>();
    private final Set<String> staged = new HashSet<>();
    private long served;

    static String groupOf(ReceivedMessage m) {
        String g = m.attributes().get("MessageGroupId");
        return g != null ? g : "message:" + m.messageId();
    }

    /** Adds messages just received; one staged already (by message id) is not added twice. */
    synchronized void add(List<ReceivedMessage> messages) {
        for (ReceivedMessage m : messages) {
            if (staged.add(m.messageId())) {
                waiting.computeIfAbsent(groupOf(m), g -> new ArrayDeque<>()).add(m);
            }
        }
    }

    /** {@return how many messages wait in the stage} */
    synchronized int size() {
        return staged.size();
    }

    /** Takes up to {@code max} messages, from the groups with the fewest in flight first; counts them in flight. */
    synchronized List<ReceivedMessage> take(int max) {
        List<ReceivedMessage> out = new ArrayList<>(max);
        while (out.size() < max && !waiting.isEmpty()) {
            String group = waiting.keySet().stream()
                    .min(Comparator.<String>comparingInt(g -> inFlight.getOrDefault(g, 0))
                            .thenComparingLong(g -> lastServed.getOrDefault(g, -1L)))
                    .orElseThrow();
            ArrayDeque<ReceivedMessage> q = waiting.get(group);
            ReceivedMessage m = q.poll();
            if (q.isEmpty()) {
                waiting.remove(group);
            }
            staged.remove(m.messageId());
            inFlight.merge(group, 1, Integer::sum);
            lastServed.put(group, ++served);
            out.add(m);
        }
        return out;
    }

    /** The batch's invocation ended: its messages are no longer in flight. */
    synchronized void settled(List<ReceivedMessage> batch) {
        for (ReceivedMessage m : batch) {
            inFlight.computeIfPresent(groupOf(m), (g, n) -> n > 1 ? n - 1 : null);
        }
    }

    /** Empties the stage and returns what waited in it, to make it visible again. */
    synchronized List<ReceivedMessage> drain() {
        List<ReceivedMessage> out = new ArrayList<>();
        waiting.values().forEach(out::addAll);
        waiting.clear();
        staged.clear();
        return out;
    }
}
