package io.lambdarelay.local.internal;

import io.lambdarelay.local.LocalStats;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link LocalStats}. Thread-safe. */
public final class StatsRecorder {

    private final LongAdder invocations = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder functionErrors = new LongAdder();
    private final LongAdder batchFailures = new LongAdder();
    private final LongAdder itemFailures = new LongAdder();
    private final LongAdder recursionDrops = new LongAdder();
    private final LongAdder callsAfterTimeout = new LongAdder();
    private final AtomicInteger running = new AtomicInteger();
    /** Counts starts and ends of work, so a check can tell that nothing started or ended meanwhile. */
    private final java.util.concurrent.atomic.AtomicLong workChanges = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
    private final Object idleSignal = new Object();

    void invocationStarted() {
        invocations.increment();
    }

    void timeout() {
        timeouts.increment();
    }

    void functionError() {
        functionErrors.increment();
    }

    void batchFailure() {
        batchFailures.increment();
    }

    void itemFailures(int count) {
        itemFailures.add(count);
    }

    void recursionDrops(int count) {
        recursionDrops.add(count);
    }

    void callAfterTimeout() {
        callsAfterTimeout.increment();
    }

    void sent(String queueName, int count) {
        sent.computeIfAbsent(queueName, q -> new LongAdder()).add(count);
    }

    void received(String queueName, int count) {
        received.computeIfAbsent(queueName, q -> new LongAdder()).add(count);
    }

    /** Marks work (a batch or an Invoke call) as running until {@link #workDone()}. */
    void workStarted() {
        running.incrementAndGet();
        workChanges.incrementAndGet();
    }

    void workDone() {
        running.decrementAndGet();
        workChanges.incrementAndGet();
        synchronized (idleSignal) {
            idleSignal.notifyAll();
        }
    }

    /** {@return how many times work started or ended} */
    long workChanges() {
        return workChanges.get();
    }

    /** Work running now: batches between receive and delete, and Invoke calls. */
    public int running() {
        return running.get();
    }

    /** Waits until some work finishes or the time passes, whichever comes first. */
    public void awaitWorkDone(long millis) throws InterruptedException {
        synchronized (idleSignal) {
            idleSignal.wait(Math.max(1, millis));
        }
    }

    /** A snapshot of the counters; the caller adds the DLQ depths. */
    public LocalStats.Builder snapshot() {
        return LocalStats.builder()
                .invocations(invocations.sum())
                .timeouts(timeouts.sum())
                .functionErrors(functionErrors.sum())
                .batchFailures(batchFailures.sum())
                .itemFailures(itemFailures.sum())
                .recursionDrops(recursionDrops.sum())
                .callsAfterTimeout(callsAfterTimeout.sum())
                .runningInvocations(running.get())
                .messagesSent(sums(sent))
                .messagesReceived(sums(received));
    }

    private static Map<String, Long> sums(Map<String, LongAdder> counters) {
        Map<String, Long> sums = new TreeMap<>();
        counters.forEach((k, v) -> sums.put(k, v.sum()));
        return sums;
    }
}
