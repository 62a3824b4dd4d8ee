package io.lambdarelay.local.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emulation of an SQS fair queue for one queue, after the rules AWS documents in "How Amazon
 * SQS fair queues work". The pollers take every visible message into this stage (kept invisible in
 * the queue meanwhile), grouped by {@code MessageGroupId}, the tenant (a message without one is a
 * tenant of its own, as on AWS). A tenant is <em>noisy</em> when it has more than
 * {@value #SHARE_PERCENT}% of the messages in flight and at least {@value #MIN_IN_FLIGHT} of its
 * own, or more than {@value #SHARE_PERCENT}% of the recent processing time (the invocations that
 * ended in the last {@link #WINDOW}; AWS does not say how recent, this is the emulation's choice).
 * Each message of a batch comes from the quiet tenants first, oldest first; only when none waits,
 * from the noisy ones, the one with the fewest in flight first. A tenant whose backlog is drained
 * is quiet again. So a tenant with thousands of messages does not delay a tenant with one.
 * Thread-safe.
 */
final class FairStage {
    /** The share of the in-flight messages, or of the recent processing time, above which a tenant is noisy. */
    static final int SHARE_PERCENT = 10;
    /** The in-flight messages a tenant needs of its own before its share of them makes it noisy. */
    static final int MIN_IN_FLIGHT = 30;
    /** How far back the processing time counts. */
    static final Duration WINDOW = Duration.ofSeconds(60);

    private record Staged(ReceivedMessage message, long seq) {
    }

    /** An invocation's time for one message; it stops counting when it leaves the window or its tenant drains. */
    private static final class Processed {
        final String group;
        final long millis;
        final long endedAt;
        boolean counted = true;

        Processed(String group, long millis, long endedAt) {
            this.group = group;
            this.millis = millis;
            this.endedAt = endedAt;
        }
    }

    private final Clock clock;
    private final Map<String, ArrayDeque<Staged>> waiting = new LinkedHashMap<>();
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Map<String, Long> takenAt = new HashMap<>();
    private final ArrayDeque<Processed> recent = new ArrayDeque<>();
    private final Map<String, Long> recentMillis = new HashMap<>();
    /** Each tenant's counted entries of {@link #recent}, oldest first. */
    private final Map<String, ArrayDeque<Processed>> recentOf = new HashMap<>();
    private final Set<String> staged = new HashSet<>();
    private long totalInFlight;
    private long totalRecentMillis;
    private long arrivals;

    FairStage(Clock clock) {
        this.clock = clock;
    }

    static String groupOf(ReceivedMessage m) {
        String g = m.attributes().get("MessageGroupId");
        return g != null ? g : "message:" + m.messageId();
    }

    /** Adds messages just received; one staged already (by message id) is not added twice. */
    synchronized void add(List<ReceivedMessage> messages) {
        for (ReceivedMessage m : messages) {
            if (staged.add(m.messageId())) {
                waiting.computeIfAbsent(groupOf(m), g -> new ArrayDeque<>()).add(new Staged(m, ++arrivals));
            }
        }
    }

    /** {@return how many messages wait in the stage} */
    synchronized int size() {
        return staged.size();
    }

    /** Whether the tenant is noisy now, by its share of the messages in flight or of the recent processing time. */
    synchronized boolean noisy(String group) {
        int flying = inFlight.getOrDefault(group, 0);
        if (flying >= MIN_IN_FLIGHT && flying * 100L > SHARE_PERCENT * totalInFlight) {
            return true;
        }
        long millis = recentMillis.getOrDefault(group, 0L);
        return totalRecentMillis > 0 && millis * 100L > SHARE_PERCENT * totalRecentMillis;
    }

    /** Takes up to {@code max} messages, quiet tenants first; counts them in flight. */
    synchronized List<ReceivedMessage> take(int max) {
        forgetBefore(clock.millis() - WINDOW.toMillis());
        List<ReceivedMessage> out = new ArrayList<>(max);
        while (out.size() < max && !waiting.isEmpty()) {
            String quiet = null;
            String loud = null;
            for (Map.Entry<String, ArrayDeque<Staged>> e : waiting.entrySet()) {
                String g = e.getKey();
                long oldest = e.getValue().peek().seq();
                if (!noisy(g)) {
                    if (quiet == null || oldest < waiting.get(quiet).peek().seq()) {
                        quiet = g;
                    }
                } else if (loud == null || inFlight.getOrDefault(g, 0) < inFlight.getOrDefault(loud, 0)
                        || inFlight.getOrDefault(g, 0).equals(inFlight.getOrDefault(loud, 0))
                                && oldest < waiting.get(loud).peek().seq()) {
                    loud = g;
                }
            }
            String group = quiet != null ? quiet : loud;
            ArrayDeque<Staged> q = waiting.get(group);
            ReceivedMessage m = q.poll().message();
            if (q.isEmpty()) {
                waiting.remove(group);
            }
            staged.remove(m.messageId());
            inFlight.merge(group, 1, Integer::sum);
            totalInFlight++;
            takenAt.put(m.messageId(), clock.millis());
            out.add(m);
        }
        return out;
    }

    /** The batch's invocation ended: its messages are no longer in flight, and their time is processing time. */
    synchronized void settled(List<ReceivedMessage> batch) {
        long now = clock.millis();
        for (ReceivedMessage m : batch) {
            String group = groupOf(m);
            Long taken = takenAt.remove(m.messageId());
            if (taken == null) {
                continue; // not delivered from this stage
            }
            inFlight.computeIfPresent(group, (g, n) -> n > 1 ? n - 1 : null);
            totalInFlight--;
            long millis = Math.max(0, now - taken);
            Processed p = new Processed(group, millis, now);
            recent.add(p);
            recentOf.computeIfAbsent(group, g -> new ArrayDeque<>()).add(p);
            recentMillis.merge(group, millis, Long::sum);
            totalRecentMillis += millis;
            if (!waiting.containsKey(group) && !inFlight.containsKey(group)) {
                forget(group); // its backlog is drained: quiet again
            }
        }
    }

    /** Empties the stage and returns what waited in it, to make it visible again. */
    synchronized List<ReceivedMessage> drain() {
        List<ReceivedMessage> out = new ArrayList<>();
        waiting.values().forEach(q -> q.forEach(s -> out.add(s.message())));
        waiting.clear();
        staged.clear();
        return out;
    }

    private void forgetBefore(long cutoff) {
        while (!recent.isEmpty() && recent.peek().endedAt < cutoff) {
            Processed p = recent.poll();
            if (p.counted) {
                recentMillis.computeIfPresent(p.group, (g, ms) -> ms - p.millis > 0 ? ms - p.millis : null);
                totalRecentMillis -= p.millis;
                ArrayDeque<Processed> own = recentOf.get(p.group);
                own.poll(); // its oldest counted entry is this one
                if (own.isEmpty()) {
                    recentOf.remove(p.group);
                }
            }
        }
    }

    private void forget(String group) {
        Long millis = recentMillis.remove(group);
        if (millis != null) {
            totalRecentMillis -= millis;
        }
        ArrayDeque<Processed> own = recentOf.remove(group);
        if (own != null) {
            own.forEach(p -> p.counted = false); // they stay in the window, uncounted
        }
    }
}
