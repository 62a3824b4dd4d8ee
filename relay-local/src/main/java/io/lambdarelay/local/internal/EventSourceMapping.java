package io.lambdarelay.local.internal;

import io.lambdarelay.local.Delivery;
import io.lambdarelay.local.InvocationEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event-source mapping from an SQS queue to a function, and its pollers: one thread per unit
 * of concurrency, each polling the queue, invoking the function with the batch it received and
 * deleting what succeeded. Failed messages are left to the visibility timeout, so the queue's
 * redrive policy moves poison messages to its dead-letter queue, as on AWS.
 *
 * <p>Where Lambda long-polls, a poller here sends short polls, straight to the embedded SQS's queue
 * actor rather than over HTTP ({@link EmbeddedSqs#receive}), and waits in between on
 * {@link QueueActivity} until a message may be visible (see there why). Deleting a mapping stops
 * its pollers and waits for any poll in flight, so a queue deleted right after its mapping (as a
 * relay's tear-down does) is never polled while it goes. The mapping then stays {@code Deleting}
 * until its last invocation has ended and the emulated deletion time has passed. Thread-safe.
 */
final class EventSourceMapping {

    private static final Logger LOG = LoggerFactory.getLogger(EventSourceMapping.class);

    /** Lambda drops an event that has gone round the same function this many times. */
    static final int MAX_RECURSIVE_HOPS = 16;

    /** The longest wait between two polls of a queue that seems empty; a safety net only. */
    private static final long IDLE_POLL_MILLIS = 1_000;
    /** How long deleting a mapping waits for a poll in flight. */
    private static final long POLL_DRAIN_MILLIS = 5_000;
    private static final long MAX_ERROR_BACKOFF_MILLIS = 1_000;

    private final LambdaService service;
    private final String uuid;
    private final String queueArn;
    private final String queueUrl;
    private final String queueName;
    private final Map<Integer, Thread> pollers = new HashMap<>();
    private volatile MappingConfig config;
    private volatile Instant lastModified;
    private volatile boolean deleting;
    private volatile Instant deletedAt;
    private volatile boolean stopped;
    private volatile boolean closing;
    // Guarded by this: pollers inside a ReceiveMessage call.
    private int polling;
    private volatile boolean warnedPollError;
    private volatile boolean warnedRecursion;

    EventSourceMapping(LambdaService service, String uuid, String queueArn, String queueUrl, MappingConfig config,
            Instant created) {
        this.service = service;
        this.uuid = uuid;
        this.queueArn = queueArn;
        this.queueUrl = queueUrl;
        this.queueName = QueueNames.fromArn(queueArn);
        this.config = config;
        this.lastModified = created;
    }

    String uuid() {
        return uuid;
    }

    String queueArn() {
        return queueArn;
    }

    String queueUrl() {
        return queueUrl;
    }

    MappingConfig config() {
        return config;
    }

    Instant lastModified() {
        return lastModified;
    }

    boolean isDeleting() {
        return deleting;
    }

    /** The state Lambda would report for this mapping now. */
    String state() {
        if (deleting) {
            return "Deleting";
        }
        return config.enabled ? "Enabled" : "Disabled";
    }

    /** Applies new settings and starts or stops pollers to match them. */
    synchronized void update(MappingConfig newConfig, Instant when) {
        this.config = newConfig;
        this.lastModified = when;
        reconcile();
        notifyAll();
    }

    /** Starts the pollers the settings ask for. */
    synchronized void start() {
        reconcile();
    }

    /**
     * Stops polling and waits until no poll is in flight; the mapping is gone once its last poller
     * has exited and {@link #isGone} says so.
     *
     * @param when the time of the request, on the service's clock
     */
    void delete(Instant when) throws InterruptedException {
        synchronized (this) {
            if (!deleting) {
                deleting = true;
                deletedAt = when;
            }
            stopped = pollers.isEmpty();
            notifyAll();
        }
        service.activity().wake(queueName);
        long deadline = System.nanoTime() + POLL_DRAIN_MILLIS * 1_000_000;
        synchronized (this) {
            while (polling > 0) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) {
                    LOG.debug("mapping {}: a poll of {} is still in flight after {} ms", uuid, queueName,
                            POLL_DRAIN_MILLIS);
                    return;
                }
                wait(remaining);
            }
        }
    }

    /**
     * {@return whether a deleted mapping is gone: its pollers (and so its invocations) have ended
     * and {@code delay} has passed since the deletion}
     *
     * @param now the service's clock now
     * @param delay how long Lambda takes to delete a mapping, as emulated
     */
    boolean isGone(Instant now, Duration delay) {
        return deleting && stopped && !now.isBefore(deletedAt.plus(delay));
    }

    /** Stops polling and interrupts the pollers, for {@code close()}. */
    synchronized List<Thread> close() {
        closing = true;
        deleting = true;
        notifyAll();
        List<Thread> threads = new ArrayList<>(pollers.values());
        threads.forEach(Thread::interrupt);
        return threads;
    }

    private int targetConcurrency() {
        MappingConfig c = config;
        if (deleting || !c.enabled) {
            return 0;
        }
        return c.maximumConcurrency != null ? c.maximumConcurrency : service.defaultConcurrency();
    }

    private boolean shouldRun(int index) {
        return index < targetConcurrency();
    }

    // Caller holds the lock.
    private void reconcile() {
        if (service.manualDelivery()) {
            return; // the test delivers, one batch per deliverOnce()
        }
        int target = targetConcurrency();
        for (int i = 0; i < target; i++) {
            if (!pollers.containsKey(i)) {
                int index = i;
                Thread t = new Thread(() -> pollLoop(index), "relay-local-esm-" + uuid.substring(0, 8) + "-" + i);
                t.setDaemon(true);
                pollers.put(i, t);
                t.start();
            }
        }
    }

    private void pollLoop(int index) {
        long backoff = 0;
        service.activity().pollerStarted(queueName);
        try {
            while (shouldRun(index)) {
                try {
                    pollOnce(index);
                    backoff = 0;
                } catch (RuntimeException e) {
                    // Poll errors (a deleted queue, an SDK abort at close) must not kill the poller:
                    // Lambda keeps an ESM polling until it is deleted.
                    if (closing || Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    backoff = Math.min(MAX_ERROR_BACKOFF_MILLIS, Math.max(50, backoff * 2));
                    if (!warnedPollError) {
                        warnedPollError = true;
                        LOG.warn("event-source mapping {} cannot poll queue {}, retrying: {}", uuid, queueName,
                                e.toString());
                    } else {
                        LOG.debug("event-source mapping {} poll failed: {}", uuid, e.toString());
                    }
                    pause(backoff);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            service.activity().pollerStopped(queueName);
            pollerExited(index);
        }
    }

    private synchronized void pause(long millis) throws InterruptedException {
        if (!deleting) {
            wait(millis);
        }
    }

    private synchronized void pollerExited(int index) {
        pollers.remove(index);
        if (!closing && shouldRun(index)) {
            // The settings changed back while this poller was on its way out.
            reconcile();
        }
        if (deleting && pollers.isEmpty()) {
            stopped = true;
        }
        notifyAll();
    }

    private void pollOnce(int index) throws InterruptedException {
        MappingConfig c = config;
        QueueActivity activity = service.activity();
        long signals = activity.signals(queueName);
        List<ReceivedMessage> batch = receive(index, Math.min(10, c.batchSize));
        if (batch.isEmpty()) {
            activity.await(queueName, signals, IDLE_POLL_MILLIS, () -> !shouldRun(index));
            return;
        }
        if (c.batchingWindowSeconds > 0 && batch.size() < c.batchSize) {
            long deadline = System.nanoTime() + Duration.ofSeconds(c.batchingWindowSeconds).toNanos();
            while (batch.size() < c.batchSize && shouldRun(index)) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMillis <= 0) {
                    break;
                }
                long seen = activity.signals(queueName);
                List<ReceivedMessage> more = receive(index, Math.min(10, c.batchSize - batch.size()));
                if (more.isEmpty()) {
                    activity.await(queueName, seen, Math.min(IDLE_POLL_MILLIS, remainingMillis),
                            () -> !shouldRun(index));
                }
                batch.addAll(more);
            }
        }
        service.stats().received(queueName, batch.size());
        try {
            process(batch, c);
        } finally {
            service.settled(queueName, batch);
        }
    }

    /**
     * One delivery on the caller's thread, for manual delivery: receives a batch of what is
     * visible (no batching window), invokes the function and settles the batch, as a poller would.
     *
     * @return what the delivery did, or null when the mapping is disabled or being deleted, the
     *     queue is gone, or nothing is visible
     */
    Delivery deliverOnce() throws InterruptedException {
        MappingConfig c = config;
        if (deleting || !c.enabled || service.activity().isDeleted(queueName)) {
            return null;
        }
        List<ReceivedMessage> batch = service.receive(queueName, Math.min(10, c.batchSize));
        if (batch.isEmpty()) {
            return null;
        }
        service.stats().received(queueName, batch.size());
        try {
            return process(batch, c);
        } finally {
            service.settled(queueName, batch);
        }
    }

    /**
     * One short poll, unless the mapping is being deleted or the queue is gone. Counted while in
     * flight, so that {@link #delete} can wait for it.
     */
    private List<ReceivedMessage> receive(int index, int max) {
        synchronized (this) {
            if (!shouldRun(index) || service.activity().isDeleted(queueName)) {
                return new ArrayList<>();
            }
            polling++;
        }
        try {
            return new ArrayList<>(service.receive(queueName, max));
        } finally {
            synchronized (this) {
                polling--;
                notifyAll();
            }
        }
    }

    private Delivery process(List<ReceivedMessage> batch, MappingConfig c) throws InterruptedException {
        RegisteredFunction fn = c.function;
        boolean terminate = RegisteredFunction.TERMINATE.equals(fn.recursiveLoop());
        List<ReceivedMessage> deliver = new ArrayList<>(batch.size());
        Lineage lineage = Lineage.empty();
        String traceHeader = null;
        int dropped = 0;
        for (ReceivedMessage m : batch) {
            String header = m.attributes().get(Lineage.TRACE_HEADER_ATTRIBUTE);
            Lineage messageLineage = Lineage.fromTraceHeader(header);
            if (terminate && messageLineage.count(fn.lineageHash()) >= MAX_RECURSIVE_HOPS) {
                dropped++;
                LOG.debug("mapping {} dropped message {} of a recursive loop through {}", uuid, m.messageId(),
                        fn.name());
                continue;
            }
            deliver.add(m);
            // With several messages in a batch the invocation carries the longest lineage, so a
            // loop is never undercounted.
            lineage = lineage.merge(messageLineage);
            if (traceHeader == null) {
                traceHeader = header;
            }
        }
        if (dropped > 0) {
            recordRecursionDrop(fn, dropped);
        }
        if (deliver.isEmpty()) {
            List<String> ids = batch.stream().map(ReceivedMessage::messageId).toList();
            return new Delivery(uuid, fn.name(), null, ids, Set.copyOf(ids), InvocationEvent.Outcome.RECURSION_DROPPED,
                    false);
        }
        service.stats().workStarted();
        try {
            Thread twin = null;
            if (service.deliverTwice(queueName)) {
                // SQS delivers a message twice, also to two consumers at once: the same batch,
                // same message ids and receipt handles, to a second invocation side by side.
                Lineage l = lineage;
                String t = traceHeader;
                twin = new Thread(() -> {
                    try {
                        invokeAndSettle(fn, c, deliver, l, t, true);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "relay-local-twice-" + uuid);
                twin.setDaemon(true);
                twin.start();
            }
            Delivery d = invokeAndSettle(fn, c, deliver, lineage, traceHeader, twin != null);
            if (twin != null) {
                twin.join();
            }
            return d;
        } finally {
            service.stats().workDone();
        }
    }

    private void recordRecursionDrop(RegisteredFunction fn, int dropped) {
        service.stats().recursionDrops(dropped);
        if (!warnedRecursion) {
            warnedRecursion = true;
            LOG.warn("function {} is in a recursive loop through queue {}; Lambda stops it after {} hops, "
                    + "so {} message(s) were not delivered and are left to the redrive policy; "
                    + "set the function's recursion config to Allow if the loop is intended",
                    fn.name(), queueName, MAX_RECURSIVE_HOPS, dropped);
        }
        service.publish(new InvocationEvent(fn.name(), null, InvocationEvent.Trigger.EVENT_SOURCE_MAPPING,
                InvocationEvent.Outcome.RECURSION_DROPPED, dropped, dropped, MAX_RECURSIVE_HOPS, Duration.ZERO));
    }

    private Delivery invokeAndSettle(RegisteredFunction fn, MappingConfig c, List<ReceivedMessage> deliver,
            Lineage lineage, String traceHeader, boolean twice) throws InterruptedException {
        byte[] event = service.json().sqsEvent(deliver, queueArn, service.region());
        service.stats().invocationStarted();
        Invoker.Result result = service.invoker().invoke(fn, uuid, event, lineage, traceHeader);
        Set<String> ids = new HashSet<>();
        deliver.forEach(m -> ids.add(m.messageId()));
        Set<String> failed;
        InvocationEvent.Outcome outcome;
        switch (result.status()) {
            case OK:
                failed = c.reportBatchItemFailures
                        ? BatchResponses.failedItems(service.json(), result.output(), ids) : Set.of();
                outcome = failed.isEmpty() ? InvocationEvent.Outcome.SUCCEEDED
                        : failed.size() == ids.size() ? InvocationEvent.Outcome.FAILED
                        : InvocationEvent.Outcome.PARTIALLY_FAILED;
                if (failed == ids) {
                    service.stats().batchFailure();
                } else {
                    service.stats().itemFailures(failed.size());
                }
                break;
            case ERROR:
                failed = ids;
                outcome = InvocationEvent.Outcome.FAILED;
                service.stats().functionError();
                service.stats().batchFailure();
                break;
            default:
                failed = ids;
                outcome = InvocationEvent.Outcome.TIMED_OUT;
                service.stats().timeout();
                service.stats().batchFailure();
        }
        List<ReceivedMessage> succeeded = new ArrayList<>(deliver.size());
        for (ReceivedMessage m : deliver) {
            if (!failed.contains(m.messageId())) {
                succeeded.add(m);
            }
        }
        deleteAll(succeeded);
        LOG.debug("mapping {} invoked {} with {} message(s): {}, {} failed, request {}", uuid, fn.name(),
                deliver.size(), outcome, failed.size(), result.requestId());
        service.publish(new InvocationEvent(fn.name(), result.requestId(),
                InvocationEvent.Trigger.EVENT_SOURCE_MAPPING, outcome, deliver.size(), failed.size(),
                lineage.count(fn.lineageHash()), result.duration()));
        return new Delivery(uuid, fn.name(), result.requestId(), deliver.stream().map(ReceivedMessage::messageId)
                .toList(), failed, outcome, twice);
    }

    private void deleteAll(List<ReceivedMessage> messages) {
        if (messages.isEmpty() || service.activity().isDeleted(queueName)) {
            // Nothing succeeded, or the function deleted its own queue (a relay's last hop tears it
            // down): as on AWS, there is nothing left to delete from.
            return;
        }
        List<String> handles = new ArrayList<>(messages.size());
        messages.forEach(m -> handles.add(m.receiptHandle()));
        int failed = service.delete(queueName, handles);
        if (failed > 0) {
            // The visibility timeout ran out during the invocation (the message will be delivered
            // again, as on AWS), or the queue was deleted meanwhile.
            LOG.debug("mapping {} could not delete {} message(s) from {}", uuid, failed, queueName);
        }
    }

}
