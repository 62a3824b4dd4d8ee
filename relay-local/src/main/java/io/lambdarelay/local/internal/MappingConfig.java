package io.lambdarelay.local.internal;

/** The settings of an event-source mapping that UpdateEventSourceMapping can change. Immutable. */
final class MappingConfig {

    final RegisteredFunction function;
    final int batchSize;
    final int batchingWindowSeconds;
    /** Null when the mapping has no ScalingConfig. */
    final Integer maximumConcurrency;
    final boolean enabled;
    final boolean reportBatchItemFailures;

    MappingConfig(RegisteredFunction function, int batchSize, int batchingWindowSeconds, Integer maximumConcurrency,
            boolean enabled, boolean reportBatchItemFailures) {
        this.function = function;
        this.batchSize = batchSize;
        this.batchingWindowSeconds = batchingWindowSeconds;
        this.maximumConcurrency = maximumConcurrency;
        this.enabled = enabled;
        this.reportBatchItemFailures = reportBatchItemFailures;
    }
}
