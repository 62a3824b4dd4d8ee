package io.lambdarelay.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a poller may poll: signals, their claims, visibility times, deleted queues. No waiting: time is a fake. */
class QueueActivityTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final QueueActivity activity = new QueueActivity(now::get);

    private boolean pollNow(long seen) throws InterruptedException {
        return activity.await("q", seen, 0, () -> false);
    }

    @Test
    void aMessageVisibleNow_wakesExactlyOnePoller() throws Exception {
        long seen = activity.signals("q");
        activity.messageVisibleAt("q", "m1", now.get());

        assertTrue(pollNow(seen), "the first waiter claims the signal");
        assertFalse(pollNow(seen), "a second waiter finds it claimed");
        activity.messageVisibleAt("q", "m2", now.get());
        activity.messageVisibleAt("q", "m3", now.get());
        assertTrue(pollNow(seen));
        assertTrue(pollNow(seen));
        assertFalse(pollNow(seen));
    }

    @Test
    void signalsFromBeforeAnEmptyPoll_areSpent() throws Exception {
        activity.messageVisibleAt("q", "m1", now.get());
        activity.messageVisibleAt("q", "m2", now.get());
        long seenBeforeEmptyPoll = activity.signals("q");

        assertFalse(pollNow(seenBeforeEmptyPoll), "the poll found the queue empty after both were signalled");
        activity.messageVisibleAt("q", "m3", now.get());
        assertTrue(pollNow(seenBeforeEmptyPoll), "a message after the poll started wakes a poller");
    }

    @Test
    void aReceivedOrDelayedMessage_signalsWhenItsVisibilityTimeComes() throws Exception {
        long seen = activity.signals("q");
        activity.messageVisibleAt("q", "received", now.get() + 30_000);
        activity.messageVisibleAt("q", "delayed", now.get() + 60_000);

        assertFalse(pollNow(seen));
        now.addAndGet(30_000);
        assertTrue(pollNow(seen), "the received message is visible again");
        assertFalse(pollNow(seen));
        now.addAndGet(30_000);
        assertTrue(pollNow(seen), "the delayed message is visible");
        assertFalse(pollNow(seen));
    }

    @Test
    void aDeletedMessage_orOneReceivedAgain_keepsNoOldVisibilityTime() throws Exception {
        long seen = activity.signals("q");
        activity.messageVisibleAt("q", "deleted", now.get() + 1_000);
        activity.messageRemoved("q", "deleted");
        activity.messageVisibleAt("q", "again", now.get() + 1_000);
        activity.messageVisibleAt("q", "again", now.get() + 5_000);

        now.addAndGet(1_000);
        assertFalse(pollNow(seen), "neither the deleted message nor the old time of the other one counts");
        now.addAndGet(4_000);
        assertTrue(pollNow(seen));
    }

    @Test
    void aDeletedQueue_isKnownAndItsPendingSignalsAndTimesAreDropped() throws Exception {
        long seen = activity.signals("q");
        activity.messageVisibleAt("q", "m1", now.get());
        activity.messageVisibleAt("q", "m2", now.get() + 1_000);
        activity.queueDeleted("q");

        assertTrue(activity.isDeleted("q"));
        now.addAndGet(1_000);
        assertFalse(pollNow(seen));
        activity.queueCreated("q");
        assertFalse(activity.isDeleted("q"));
        assertFalse(activity.isDeleted("never-seen"));
    }

    @Test
    void stop_endsAWaitWithoutAClaim() throws Exception {
        assertFalse(activity.await("q", activity.signals("q"), 60_000, () -> true));
        assertEquals(0, activity.signals("q"));
    }
}
