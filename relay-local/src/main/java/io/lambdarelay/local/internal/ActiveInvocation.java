package io.lambdarelay.local.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The invocation running on a worker thread: which function, the mapping that delivered its batch,
 * and the lineage and trace header of the event that started it.
 *
 * @param function the function being invoked
 * @param mappingUuid the event-source mapping that delivered the batch, or null for an Invoke call
 * @param lineage the lineage of the event that started the invocation
 * @param traceHeader the event's trace header, or {@code null}
 * @param timedOut set once the invocation overran its timeout: none of its code may act after that
 */
public record ActiveInvocation(RegisteredFunction function, String mappingUuid, Lineage lineage, String traceHeader,
        AtomicBoolean timedOut) {

    public ActiveInvocation(RegisteredFunction function, String mappingUuid, Lineage lineage, String traceHeader) {
        this(function, mappingUuid, lineage, traceHeader, new AtomicBoolean());
    }

    /**
     * The trace header a message sent by this invocation carries: its lineage one hop further, in
     * the header the caller set if any, else in the invocation's own trace.
     */
    String outgoingTraceHeader(String callerHeader) {
        String base = callerHeader != null ? callerHeader : traceHeader;
        Lineage merged = callerHeader == null ? lineage : lineage.merge(Lineage.fromTraceHeader(callerHeader));
        return merged.next(function.lineageHash()).toTraceHeader(base);
    }
}
