package io.lambdarelay;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each invocation's figures to the relay's {@link RelayMetricsListener}, so that a listener
 * that throws never fails a record: the first failure is a warning, later ones are DEBUG, each with
 * the exception's type only (its message might quote what the listener was given). Thread-safe.
 */
final class MetricsReporter {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsReporter.class);

    private final RelayMetricsListener listener;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param listener the listener, or {@code null} for none */
    MetricsReporter(RelayMetricsListener listener) {
        this.listener = listener;
    }

    void report(RelayMetrics metrics) {
        if (listener == null) {
            return;
        }
        try {
            listener.invocationEnded(metrics);
        } catch (RuntimeException e) {
            if (!warned.getAndSet(true)) {
                LOG.warn("the metrics listener threw {}; the invocation's records are not affected (later failures "
                        + "are logged at DEBUG)", e.getClass().getName());
            } else {
                LOG.debug("the metrics listener threw {}", e.getClass().getName());
            }
        }
    }
}
