package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * One {@code relayPassAll}: the stamped packets in {@code SendMessageBatch} calls of at most ten
 * entries and 1 MiB, up to {@link #MAX_IN_FLIGHT} calls at a time. Entries SQS failed on its side
 * and calls it throttled are tried again after a back-off with jitter, {@link #ATTEMPTS} times in
 * all; entries it refused as the sender's fault are not. A call that fails otherwise stops new
 * calls; the calls under way finish, and every packet not confirmed sent is reported unsent in a
 * {@link PartialPassException}, with its header as before. Not reusable: one instance per call.
 */
final class BatchPass {
    private static final Logger LOG = LoggerFactory.getLogger(BatchPass.class);
    /** {@code SendMessageBatch} calls in flight at most. */
    static final int MAX_IN_FLIGHT = 8;
    /** Tries per entry (and per throttled call), the first included. */
    static final int ATTEMPTS = 4;
    /** The first back-off; it doubles per try, with jitter between half and all of it. */
    static final long FIRST_BACKOFF_MILLIS = 50;
    /** Bytes a batch's first packet may grow by when its send's requests are added to its cost. */
    static final long HEADROOM = 64;

    private final SqsClient sqs;
    private final BackOff backOff;
    private final List<Sender.Stamped> stamped;
    private final List<RelayPacket> packets;
    private final String queueUrl;
    private final String[] ids;
    private final AtomicInteger calls = new AtomicInteger();

    private final List<int[]> batches;

    BatchPass(SqsClient sqs, BackOff backOff, List<RelayPacket> packets, List<Sender.Stamped> stamped,
            List<int[]> batches) {
        this.batches = batches;
        this.sqs = sqs;
        this.backOff = backOff;
        this.packets = packets;
        this.stamped = stamped;
        this.queueUrl = packets.get(0).queueUrl();
        this.ids = new String[packets.size()];
    }

    /** What one batch left behind: entries refused as the sender's fault, and, if a call failed, the rest. */
    private record Outcome(List<Integer> refused, List<Integer> unsent, SdkException error) {
    }

    List<String> run() {
        List<Integer> refused = new ArrayList<>();
        List<Integer> unsent = new ArrayList<>();
        SdkException error = null;
        int inFlight = Math.min(MAX_IN_FLIGHT, batches.size());
        // One batch at a time runs on the caller's thread: no pool for a small fan-out.
        ExecutorService pool = inFlight <= 1 ? null : Executors.newFixedThreadPool(inFlight, r -> {
            Thread t = new Thread(r, "lambda-relay-pass-all");
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<Outcome> done = new ExecutorCompletionService<>(
                    pool == null ? Runnable::run : pool);
            int next = 0;
            int running = 0;
            while (next < batches.size() && running < inFlight) {
                int[] batch = batches.get(next++);
                done.submit(() -> send(batch));
                running++;
            }
            while (running > 0) {
                Outcome o = take(done);
                running--;
                refused.addAll(o.refused());
                unsent.addAll(o.unsent());
                if (o.error() != null && error == null) {
                    error = o.error();
                }
                if (error == null && next < batches.size()) {
                    int[] batch = batches.get(next++);
                    done.submit(() -> send(batch));
                    running++;
                }
            }
            if (error != null) {
                addRange(unsent, batches, next);
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        if (error != null || !refused.isEmpty()) {
            List<Integer> all = new ArrayList<>(refused);
            all.addAll(unsent);
            throw partial(all, error);
        }
        LOG.debug("relay {} passed {} packet(s) in {} batch call(s)", packets.get(0).relayId(), packets.size(),
                calls.get());
        return List.of(ids);
    }

    /**
     * Groups consecutive packets into calls of at most ten entries and SQS's payload limit, less
     * {@link #HEADROOM} per call for the cost its first packet is then charged.
     */
    static List<int[]> plan(List<Sender.Stamped> stamped) {
        List<int[]> batches = new ArrayList<>();
        int n = stamped.size();
        for (int start = 0, end; start < n; start = end) {
            end = start;
            long bytes = 0;
            while (end < n && end - start < Sender.BATCH_ENTRIES
                    && (end == start || bytes + stamped.get(end).size() <= Sender.BATCH_BYTES - HEADROOM)) {
                bytes += stamped.get(end++).size();
            }
            batches.add(new int[] {start, end});
        }
        return batches;
    }

    private static void addRange(List<Integer> into, List<int[]> batches, int fromBatch) {
        for (int b = fromBatch; b < batches.size(); b++) {
            for (int i = batches.get(b)[0]; i < batches.get(b)[1]; i++) {
                into.add(i);
            }
        }
    }

    private static Outcome take(ExecutorCompletionService<Outcome> done) {
        try {
            return done.take().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayException("relayPassAll was interrupted; some packets may have been passed", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Sends one batch, retrying what SQS failed on its side or throttled. Runs on any thread. */
    private Outcome send(int[] batch) {
        List<Integer> pending = new ArrayList<>();
        for (int i = batch[0]; i < batch[1]; i++) {
            pending.add(i);
        }
        List<Integer> refused = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(pending.size());
            for (int i : pending) {
                RelayPacket p = stamped.get(i).packet();
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .messageBody(stamped.get(i).body()).messageGroupId(Sender.groupOf(p)).build());
            }
            SendMessageBatchResponse resp;
            try {
                calls.incrementAndGet();
                resp = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            } catch (SdkException e) {
                if (attempt < ATTEMPTS && throttled(e) && backOff(attempt)) {
                    continue;
                }
                return new Outcome(refused, pending, e);
            }
            resp.successful().forEach(ok -> {
                int i = Integer.parseInt(ok.id());
                ids[i] = ok.messageId();
                stamped.get(i).applied();
            });
            List<Integer> retry = new ArrayList<>();
            for (var failed : resp.failed()) {
                (Boolean.TRUE.equals(failed.senderFault()) ? refused : retry).add(Integer.parseInt(failed.id()));
            }
            pending = retry;
            if (pending.isEmpty() || attempt >= ATTEMPTS || !backOff(attempt)) {
                refused.addAll(pending);
                return new Outcome(refused, List.of(), null);
            }
        }
    }

    /** Waits before try {@code attempt + 1}; {@code false} if interrupted (then nothing more is tried). */
    private boolean backOff(int attempt) {
        try {
            backOff.pause().pause(backOff.jittered(FIRST_BACKOFF_MILLIS << (attempt - 1)));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean throttled(SdkException e) {
        return e instanceof AwsServiceException ase && (ase.isThrottlingException() || ase.statusCode() == 503);
    }

    private PartialPassException partial(List<Integer> unsentIndexes, SdkException cause) {
        List<RelayPacket> unsent = unsentIndexes.stream().sorted().distinct().map(packets::get).toList();
        int sent = (int) Arrays.stream(ids).filter(Objects::nonNull).count();
        RelayPacket first = packets.get(0);
        return new PartialPassException(unsent.size() + " of " + packets.size() + " packet(s) could not be passed"
                + (cause == null ? " (SQS refused them)" : " (" + describe(cause) + ")")
                + "; pass exception.unsent() again", first.queueUrl(), first.relayId(), sent, unsent, cause);
    }
}
