package io.lambdarelay.local.internal;

/**
 * The invocation running on a worker thread: which function, and the lineage and trace header of
 * the event that started it. Immutable.
 */
public final class ActiveInvocation {

    private final RegisteredFunction function;
    private final Lineage lineage;
    private final String traceHeader;

    ActiveInvocation(RegisteredFunction function, Lineage lineage, String traceHeader) {
        this.function = function;
        this.lineage = lineage;
        this.traceHeader = traceHeader;
    }

    /**
     * The trace header a message sent by this invocation carries: its lineage one hop further, in
     * the header the caller set if any, else in the invocation's own trace.
     */
    String outgoingTraceHeader(String callerHeader) {
        String base = callerHeader != null ? callerHeader : traceHeader;
        Lineage lineage = callerHeader == null ? this.lineage
                : this.lineage.merge(Lineage.fromTraceHeader(callerHeader));
        return lineage.next(function.lineageHash()).toTraceHeader(base);
    }
}
