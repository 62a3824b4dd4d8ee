package io.lambdarelay;

import java.util.ArrayList;
import java.util.List;

/** What one {@link RelayJanitor#sweep()} did. Immutable and thread-safe. */
public final class JanitorReport {
    private final List<String> removedRelays;
    private final List<String> removedQueues;
    private final List<String> keptDeadLetterQueues;
    private final List<String> markedIdle;
    private final List<String> errors;

    private JanitorReport(Builder b) {
        this.removedRelays = List.copyOf(b.removedRelays);
        this.removedQueues = List.copyOf(b.removedQueues);
        this.keptDeadLetterQueues = List.copyOf(b.keptDlqs);
        this.markedIdle = List.copyOf(b.markedIdle);
        this.errors = List.copyOf(b.errors);
    }

    /**
     * Returns the ids of the relays whose queue and mappings were removed.
     *
     * @return relay ids
     */
    public List<String> removedRelays() {
        return removedRelays;
    }

    /**
     * Returns the URLs of lone dead-letter queues that were removed because they were empty.
     *
     * @return queue URLs
     */
    public List<String> removedQueues() {
        return removedQueues;
    }

    /**
     * Returns the URLs of dead-letter queues kept because they hold messages.
     *
     * @return queue URLs
     */
    public List<String> keptDeadLetterQueues() {
        return keptDeadLetterQueues;
    }

    /**
     * Returns the ids of relays seen empty for the first time, to be removed on a later sweep.
     *
     * @return relay ids
     */
    public List<String> markedIdle() {
        return markedIdle;
    }

    /**
     * Returns the queues the sweep could not handle, with the error's type.
     *
     * @return descriptions
     */
    public List<String> errors() {
        return errors;
    }

    @Override
    public String toString() {
        return "JanitorReport{removedRelays=" + removedRelays + ", removedQueues=" + removedQueues.size()
                + ", keptDeadLetterQueues=" + keptDeadLetterQueues + ", markedIdle=" + markedIdle + ", errors=" + errors + "}";
    }

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
            return new JanitorReport(this);
        }
    }
}
