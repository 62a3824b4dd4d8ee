package io.lambdarelay;

/**
 * Receives the figures of every invocation of a {@link RelayWorker}, for a metrics sink: register
 * one with {@link Relay.Builder#metrics}. {@link EmfMetricsListener} writes them as CloudWatch
 * embedded-metric-format lines; implement this interface for any other sink.
 *
 * <pre>{@code
 * Relay relay = Relay.builder()
 *         .metrics(m -> registry.timer("relay.hop.latency").record(m.hopLatencyMillis().orElse(0), MILLISECONDS))
 *         .build();
 * }</pre>
 *
 * <p>It is called once per invocation, when the worker is done with the event: on the handler's
 * thread, or, when the deadline hand-off passed the records on, on the hand-off's thread right
 * after it (the unit it cut short may still run, and Lambda may end the invocation at its
 * timeout). An invocation that Lambda ends otherwise (a crash, a timeout without a hand-off)
 * reports nothing. What the listener throws is logged (a warning the first time, with the
 * exception's type only) and fails no record.
 *
 * <p>Implementations must be thread-safe (one relay may serve several workers) and quick: they
 * run in the invocation's time.
 */
@FunctionalInterface
public interface RelayMetricsListener {
    /**
     * Takes the figures of one invocation.
     *
     * @param metrics what the invocation did
     */
    void invocationEnded(RelayMetrics metrics);
}
