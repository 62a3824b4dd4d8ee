package io.lambdarelay;

import io.lambdarelay.internal.Arn;
import io.lambdarelay.internal.Queues;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What relay queues say about themselves ({@link Queues.Info}: ARN, dead-letter queue, receive
 * limit), read once per queue and kept, since a queue's ARN and redrive policy do not change while
 * it lives. The library dead-letters and deletes only what these name, never what a packet
 * names. Thread-safe.
 */
final class QueueFacts {
    private static final int MAX_QUEUES = 256;

    private final Clients clients;
    private final Map<String, Queues.Info> byUrl = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Queues.Info> eldest) {
                    return size() > MAX_QUEUES;
                }
            });
    private final Map<String, String> urlByArn = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > MAX_QUEUES;
                }
            });

    QueueFacts(Clients clients) {
        this.clients = clients;
    }

    /** The queue's facts, or {@code null} if the queue does not exist. */
    Queues.Info of(String queueUrl) {
        Queues.Info info = byUrl.get(queueUrl);
        if (info == null) {
            info = Queues.info(clients.sqs(), queueUrl);
            if (info != null) {
                byUrl.put(queueUrl, info);
            }
        }
        return info;
    }

    /** The URL of the queue with this ARN (the event source of a record). */
    String urlOf(String queueArn) {
        String url = urlByArn.get(queueArn);
        if (url == null) {
            Arn arn = Arn.parse(queueArn);
            url = clients.sqs().getQueueUrl(r -> r.queueName(arn.resourceName())
                    .queueOwnerAWSAccountId(arn.account())).queueUrl();
            urlByArn.put(queueArn, url);
        }
        return url;
    }
}
