package io.lambdarelay.janitor;

import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link RelayJanitor#sweep()} did.
 *
 * @param removedRelays ids of the relays whose queues (and mapping) were removed
 * @param removedQueues URLs of the queues deleted
 * @param keptDeadLetterQueues URLs of dead-letter queues kept because they hold messages
 * @param markedIdle ids of relays found empty and marked idle; removed on a later sweep if they
 *     stay so
 * @param errors what could not be done, one line each; the next sweep tries again
 */
public record JanitorReport(List<String> removedRelays, List<String> removedQueues,
        List<String> keptDeadLetterQueues, List<String> markedIdle, List<String> errors) {

    /**
     * Copies the lists: the report is immutable.
     *
     * @param removedRelays ids of the relays removed
     * @param removedQueues URLs of the queues deleted
     * @param keptDeadLetterQueues URLs of the dead-letter queues kept
     * @param markedIdle ids of the relays marked idle
     * @param errors what could not be done
     */
    public JanitorReport {
        removedRelays = List.copyOf(removedRelays);
        removedQueues = List.copyOf(removedQueues);
        keptDeadLetterQueues = List.copyOf(keptDeadLetterQueues);
        markedIdle = List.copyOf(markedIdle);
        errors = List.copyOf(errors);
    }

    /** Collects a sweep's findings. Not thread-safe. */
    static final class Builder {
        private final List<String> removedRelays = new ArrayList<>();
        private final List<String> removedQueues = new ArrayList<>();
        private final List<String> keptDlqs = new ArrayList<>();
        private final List<String> markedIdle = new ArrayList<>();
        private final List<String> errors = new ArrayList<>();

        void removedRelay(String id) {
            removedRelays.add(id);
        }

        void removedQueue(String url) {
            removedQueues.add(url);
        }

        void keptDlq(String url) {
            if (!keptDlqs.contains(url)) {
                keptDlqs.add(url);
            }
        }

        void markedIdle(String id) {
            markedIdle.add(id);
        }

        void error(String what) {
            errors.add(what);
        }

        JanitorReport build() {
            return new JanitorReport(removedRelays, removedQueues, keptDlqs, markedIdle, errors);
        }
    }
}
