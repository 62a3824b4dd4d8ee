package io.lambdarelay.local.internal;

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
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One event-source mapping from an SQS queue to a function, and its pollers: one thread per unit
 * of concurrency, each long-polling the queue, invoking the function with the batch it received
 * and deleting what succeeded. Failed messages are left to the visibility timeout, so the queue's
 * redrive policy moves poison messages to its dead-letter queue, as on AWS. Thread-safe.
 */
final class EventSourceMapping {

    private static final Logger LOG = LoggerFactory.getLogger(EventSourceMapping.class);

    /** Lambda drops an event that has gone round the same function this many times. */
    static final int MAX_RECURSIVE_HOPS = 16;

    /**
     * Upper bound of one long poll. Lambda polls for 20 s, but a blocked HTTP read cannot be
     * interrupted, so this bounds how long deleting a mapping or closing takes.
     */
    private static final int POLL_WAIT_SECONDS = 1;
    private static final long MAX_ERROR_BACKOFF_MILLIS = 1_000;

    private final LambdaService service;
    private final String uuid;
    private final String queueArn;
    private final String queueUrl;
    private final String queueName;
    private final Runnable onStopped;
    private final Map<Integer, Thread> pollers = new HashMap<>();
    private volatile MappingConfig config;
    private volatile Instant lastModified;
    private volatile boolean deleting;
    private volatile boolean closing;
    private volatile boolean warnedPollError;
    private volatile boolean warnedRecursion;

    EventSourceMapping(LambdaService service, String uuid, String queueArn, String queueUrl, MappingConfig config,
            Instant created, Runnable onStopped) {
        this.service = service;
        this.uuid = uuid;
        this.queueArn = queueArn;
        this.queueUrl = queueUrl;
        this.queueName = QueueNames.fromArn(queueArn);
        this.config = config;
        this.lastModified = created;
        this.onStopped = onStopped;
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

    /** Stops polling; the mapping is reported as stopped once its last poller has exited. */
    void delete() {
        boolean stopped;
        synchronized (this) {
            deleting = true;
            notifyAll();
            stopped = pollers.isEmpty();
        }
        // Outside the lock: the callback takes the service's lock, which is held while it calls in here.
        if (stopped) {
            onStopped.run();
        }
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
            pollerExited(index);
        }
    }

    private synchronized void pause(long millis) throws InterruptedException {
        if (!deleting) {
            wait(millis);
        }
    }

    private void pollerExited(int index) {
        boolean stopped;
        synchronized (this) {
            pollers.remove(index);
            if (!closing && shouldRun(index)) {
                // The settings changed back while this poller was on its way out.
                reconcile();
            }
            stopped = deleting && pollers.isEmpty();
        }
        if (stopped) {
            onStopped.run();
        }
    }

    private void pollOnce(int index) throws InterruptedException {
        MappingConfig c = config;
        List<Message> batch = new ArrayList<>(service.receive(queueUrl, Math.min(10, c.batchSize), POLL_WAIT_SECONDS));
        if (batch.isEmpty()) {
            return;
        }
        if (c.batchingWindowSeconds > 0 && batch.size() < c.batchSize) {
            long deadline = System.nanoTime() + Duration.ofSeconds(c.batchingWindowSeconds).toNanos();
            while (batch.size() < c.batchSize && shouldRun(index)) {
                long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0) {
                    break;
                }
                int wait = (int) Math.min(POLL_WAIT_SECONDS, Math.ceil(remainingNanos / 1e9));
                batch.addAll(service.receive(queueUrl, Math.min(10, c.batchSize - batch.size()), wait));
            }
        }
        service.stats().received(queueName, batch.size());
        process(batch, c);
    }

    private void process(List<Message> batch, MappingConfig c) throws InterruptedException {
        RegisteredFunction fn = c.function;
        boolean terminate = RegisteredFunction.TERMINATE.equals(fn.recursiveLoop());
        List<Message> deliver = new ArrayList<>(batch.size());
        Lineage lineage = Lineage.empty();
        String traceHeader = null;
        int dropped = 0;
        for (Message m : batch) {
            String header = m.attributesAsStrings().get(Lineage.TRACE_HEADER_ATTRIBUTE);
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
            return;
        }
        service.stats().workStarted();
        try {
            invokeAndSettle(fn, c, deliver, lineage, traceHeader);
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

    private void invokeAndSettle(RegisteredFunction fn, MappingConfig c, List<Message> deliver, Lineage lineage,
            String traceHeader) throws InterruptedException {
        byte[] event = service.json().sqsEvent(deliver, queueArn, service.region());
        service.stats().invocationStarted();
        Invoker.Result result = service.invoker().invoke(fn, event, lineage, traceHeader);
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
        List<Message> succeeded = new ArrayList<>(deliver.size());
        for (Message m : deliver) {
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
    }

    private void deleteAll(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = from; i < Math.min(messages.size(), from + 10); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .receiptHandle(messages.get(i).receiptHandle())
                        .build());
            }
            DeleteMessageBatchResponse response = service.deleteBatch(queueUrl, entries);
            if (response.hasFailed() && !response.failed().isEmpty()) {
                // Happens when the visibility timeout ran out during the invocation; the message
                // will be delivered again, as on AWS.
                LOG.debug("mapping {} could not delete {} message(s) from {}", uuid, response.failed().size(),
                        queueName);
            }
        }
    }
}
