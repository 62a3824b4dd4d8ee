package io.lambdarelay.local.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeNameForSends;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/**
 * Message delays on a {@link VirtualClock}. ElasticMQ dates a new message's delay by the system
 * clock, not by its time source, so once the virtual clock is ahead every delay would already be
 * over. Under virtual time the SQS client {@code LocalAws} hands out therefore keeps a message sent
 * with a delay here, answers the send at once (with a message id of its own), and sends the message
 * with no delay when the virtual clock reaches its due time. The message keeps the trace header
 * the sending invocation gave it, so recursion detection counts it as on AWS, and the queue's
 * {@code ApproximateNumberOfMessagesDelayed} counts it while it is held.
 *
 * <p>Sends that SQS would refuse (a queue that does not exist, a FIFO queue, a delay out of range,
 * a body over 256 KiB, a malformed batch) are not held: they go through, and fail as they would.
 * A held message whose queue is deleted before its due time is dropped, as SQS drops the messages
 * of a deleted queue. Thread-safe.
 */
public final class HeldSends {

    private static final Logger LOG = LoggerFactory.getLogger(HeldSends.class);
    private static final int MAX_DELAY_SECONDS = 900;
    private static final int MAX_BODY_BYTES = 262_144;
    private static final String DELAYED = "ApproximateNumberOfMessagesDelayed";

    private final VirtualClock clock;
    private final ThreadLocal<ActiveInvocation> current;
    private final Predicate<String> queueExists;
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    /** Guarded by itself, as are {@link #byQueue}. */
    private final PriorityQueue<Held> held = new PriorityQueue<>();
    private final Map<String, Integer> byQueue = new HashMap<>();

    /** A message kept until its due time. */
    private record Held(long dueMillis, long seq, String queueName, SendMessageRequest request)
            implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            int c = Long.compare(dueMillis, o.dueMillis);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Creates the holder.
     *
     * @param clock the virtual clock due times are read on
     * @param current the invocation a thread runs for, whose trace header a held message keeps
     * @param queueExists says whether a queue of that name exists now
     */
    public HeldSends(VirtualClock clock, ThreadLocal<ActiveInvocation> current, Predicate<String> queueExists) {
        this.clock = clock;
        this.current = current;
        this.queueExists = queueExists;
    }

    /**
     * Puts the holder in front of an SQS client.
     *
     * @param real the client calls go to, and held messages are sent with when due
     * @return the client to hand out
     */
    public SqsClient wrap(SqsClient real) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && args != null && args.length == 1 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            Object request = args == null || args.length == 0 ? null : args[0];
            if (request instanceof SendMessageRequest send) {
                return send(real, send);
            }
            if (request instanceof SendMessageBatchRequest batch) {
                return sendBatch(real, batch);
            }
            if (request instanceof GetQueueAttributesRequest get) {
                return withHeldCount(get, real.getQueueAttributes(get));
            }
            if ("close".equals(method.getName())) {
                return null;
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (SqsClient) Proxy.newProxyInstance(SqsClient.class.getClassLoader(), new Class<?>[] {SqsClient.class},
                h);
    }

    private SendMessageResponse send(SqsClient real, SendMessageRequest send) {
        String queue = QueueNames.fromUrl(send.queueUrl());
        if (!delayed(send.delaySeconds()) || !holdable(queue, send.delaySeconds(), send.messageBody())
                || !queueExists.test(queue)) {
            return real.sendMessage(send);
        }
        hold(queue, send.toBuilder(), send.delaySeconds(), send.messageSystemAttributes());
        return SendMessageResponse.builder().messageId(UUID.randomUUID().toString())
                .md5OfMessageBody(EmbeddedSqs.md5OfBody(send.messageBody())).build();
    }

    private SendMessageBatchResponse sendBatch(SqsClient real, SendMessageBatchRequest batch) {
        String queue = QueueNames.fromUrl(batch.queueUrl());
        List<SendMessageBatchRequestEntry> entries = batch.entries();
        Set<String> ids = new HashSet<>();
        entries.forEach(e -> ids.add(e.id()));
        boolean wellFormed = entries.size() <= 10 && ids.size() == entries.size()
                && entries.stream().mapToLong(e -> utf8(e.messageBody())).sum() <= MAX_BODY_BYTES;
        if (!wellFormed || entries.stream().noneMatch(e -> delayed(e.delaySeconds()))
                || !entries.stream().allMatch(e -> !delayed(e.delaySeconds())
                        || holdable(queue, e.delaySeconds(), e.messageBody()))
                || !queueExists.test(queue)) {
            return real.sendMessageBatch(batch);
        }
        List<SendMessageBatchRequestEntry> now = new ArrayList<>();
        List<SendMessageBatchResultEntry> heldResults = new ArrayList<>();
        for (SendMessageBatchRequestEntry e : entries) {
            if (!delayed(e.delaySeconds())) {
                now.add(e);
                continue;
            }
            hold(queue, SendMessageRequest.builder().queueUrl(batch.queueUrl()).messageBody(e.messageBody())
                    .messageAttributes(e.messageAttributes()), e.delaySeconds(), e.messageSystemAttributes());
            heldResults.add(SendMessageBatchResultEntry.builder().id(e.id()).messageId(UUID.randomUUID().toString())
                    .md5OfMessageBody(EmbeddedSqs.md5OfBody(e.messageBody())).build());
        }
        if (now.isEmpty()) {
            return SendMessageBatchResponse.builder().successful(heldResults).failed(List.of()).build();
        }
        SendMessageBatchResponse sent = real.sendMessageBatch(batch.toBuilder().entries(now).build());
        List<SendMessageBatchResultEntry> ok = new ArrayList<>(sent.successful());
        ok.addAll(heldResults);
        return sent.toBuilder().successful(ok).build();
    }

    private static boolean delayed(Integer delaySeconds) {
        return delaySeconds != null && delaySeconds > 0;
    }

    /** Whether SQS would take this delayed message as it is (the queue's existence asked apart, once). */
    private static boolean holdable(String queue, int delaySeconds, String body) {
        return delaySeconds <= MAX_DELAY_SECONDS && !queue.endsWith(".fifo") && body != null
                && utf8(body) <= MAX_BODY_BYTES;
    }

    private void hold(String queue, SendMessageRequest.Builder request, int delaySeconds,
            Map<MessageSystemAttributeNameForSends, MessageSystemAttributeValue> system) {
        Map<MessageSystemAttributeNameForSends, MessageSystemAttributeValue> attributes =
                system == null || system.isEmpty() ? new EnumMap<>(MessageSystemAttributeNameForSends.class)
                        : new EnumMap<>(system);
        ActiveInvocation invocation = current.get();
        if (invocation != null) {
            // What the tracing interceptor would add now; at release no invocation is current.
            MessageSystemAttributeValue existing = attributes.get(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER);
            String header = invocation.outgoingTraceHeader(existing == null ? null : existing.stringValue());
            attributes.put(MessageSystemAttributeNameForSends.AWS_TRACE_HEADER,
                    MessageSystemAttributeValue.builder().dataType("String").stringValue(header).build());
        }
        SendMessageRequest release = request.delaySeconds(null).messageSystemAttributes(attributes).build();
        long due = clock.millis() + delaySeconds * 1000L;
        synchronized (held) {
            held.add(new Held(due, sequence.incrementAndGet(), queue, release));
            byQueue.merge(queue, 1, Integer::sum);
        }
        changes.incrementAndGet();
        LOG.debug("holding a message for queue {} until {} (virtual time)", queue, java.time.Instant.ofEpochMilli(due));
    }

    private GetQueueAttributesResponse withHeldCount(GetQueueAttributesRequest get, GetQueueAttributesResponse r) {
        int count = held(QueueNames.fromUrl(get.queueUrl()));
        String delayed = r.attributesAsStrings().get(DELAYED);
        if (count == 0 || delayed == null) {
            return r;
        }
        Map<QueueAttributeName, String> attributes = new EnumMap<>(QueueAttributeName.class);
        attributes.putAll(r.attributes());
        attributes.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
                Long.toString(Long.parseLong(delayed) + count));
        return r.toBuilder().attributes(attributes).build();
    }

    /**
     * {@return messages held for a queue now}
     *
     * @param queueName the queue name
     */
    public int held(String queueName) {
        synchronized (held) {
            return byQueue.getOrDefault(queueName, 0);
        }
    }

    /** {@return when the first held message is due, if any is held} */
    public OptionalLong nextDueMillis() {
        synchronized (held) {
            Held first = held.peek();
            return first == null ? OptionalLong.empty() : OptionalLong.of(first.dueMillis());
        }
    }

    /**
     * {@return when the first message held for a queue is due, if one is held}
     *
     * @param queueName the queue name
     */
    public OptionalLong nextDueMillis(String queueName) {
        synchronized (held) {
            long next = Long.MAX_VALUE;
            for (Held h : held) {
                if (h.queueName().equals(queueName)) {
                    next = Math.min(next, h.dueMillis());
                }
            }
            return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
        }
    }

    /** {@return how many times a message was held or released} */
    long changes() {
        return changes.get();
    }

    /**
     * Sends the messages due by the virtual clock's now.
     *
     * @param real the client to send them with
     * @return how many were sent
     */
    public int releaseDue(SqsClient real) {
        long now = clock.millis();
        List<Held> due = new ArrayList<>();
        synchronized (held) {
            while (!held.isEmpty() && held.peek().dueMillis() <= now) {
                due.add(held.poll());
            }
        }
        int sent = 0;
        for (Held h : due) {
            try {
                real.sendMessage(h.request());
                sent++;
            } catch (SdkException e) {
                // Most likely the relay was torn down meanwhile: SQS drops a deleted queue's messages.
                LOG.debug("a held message for queue {} was dropped at its due time: {}", h.queueName(), e.toString());
            } finally {
                synchronized (held) {
                    byQueue.computeIfPresent(h.queueName(), (q, n) -> n == 1 ? null : n - 1);
                }
                changes.incrementAndGet();
            }
        }
        return sent;
    }

    private static long utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
