package io.lambdarelay;

import org.slf4j.MDC;

/**
 * The relay's keys in the SLF4J MDC ({@link RelayWorker#MDC_RELAY_ID}, {@link RelayWorker#MDC_RELAY_PART},
 * {@link RelayWorker#MDC_RELAY_HOP}) while a worker handles one packet, so every line logged meanwhile,
 * by the library or the user's code, names the relay, part and hop. Only ids and counters go there,
 * never packet contents. Closing it puts back what the MDC held for those keys before, so a
 * caller's own values survive and nothing is left behind on a thread that is reused. Not
 * thread-safe: the MDC is per thread, so a scope is opened and closed on one thread.
 */
final class LogContext implements AutoCloseable {
    private static final String[] KEYS = {RelayWorker.MDC_RELAY_ID, RelayWorker.MDC_RELAY_PART,
        RelayWorker.MDC_RELAY_HOP};

    private String[] saved;

    /** A scope that holds nothing until {@link #enter}. */
    LogContext() {
    }

    /** A scope holding the packet's ids. */
    static LogContext of(RelayPacket pkt) {
        LogContext scope = new LogContext();
        scope.enter(pkt);
        return scope;
    }

    /** Puts the packet's relay id, part and hop in the MDC; what the MDC held before is saved once. */
    void enter(RelayPacket pkt) {
        if (saved == null) {
            saved = new String[KEYS.length];
            for (int i = 0; i < KEYS.length; i++) {
                saved[i] = MDC.get(KEYS[i]);
            }
        }
        set(RelayWorker.MDC_RELAY_ID, pkt.relayId());
        set(RelayWorker.MDC_RELAY_PART, Integer.toString(pkt.part()));
        set(RelayWorker.MDC_RELAY_HOP, Long.toString(pkt.hop()));
    }

    /** Puts back what the MDC held before {@link #enter}. */
    @Override
    public void close() {
        if (saved == null) {
            return;
        }
        for (int i = 0; i < KEYS.length; i++) {
            set(KEYS[i], saved[i]);
        }
        saved = null;
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
