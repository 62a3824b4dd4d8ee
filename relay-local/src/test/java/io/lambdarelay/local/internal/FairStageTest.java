package io.lambdarelay.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fair-queue stage follows the documented rules: who is noisy, and who is served first. */
class FairStageTest {
    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final TestClock clock = new TestClock();
    private final FairStage stage = new FairStage(clock);
    private int ids;

    private List<ReceivedMessage> messages(String group, int n) {
        List<ReceivedMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = group + "-" + (++ids);
            out.add(new ReceivedMessage(id, "rh-" + id, id, group == null ? Map.of() : Map.of("MessageGroupId", group),
                    Map.of(), "", null));
        }
        return out;
    }

    private static List<String> groups(List<ReceivedMessage> batch) {
        return batch.stream().map(FairStage::groupOf).toList();
    }

    @Test
    void beforeAnyoneIsNoisy_theOldestMessageComesFirst_thenTheQuietTenantBeforeTheOneThatTookTheTime() {
        stage.add(messages("big", 5));
        stage.add(messages("small", 1));

        List<ReceivedMessage> first = stage.take(1);
        assertEquals(List.of("big"), groups(first), "nobody is noisy yet: arrival order");
        clock.advance(Duration.ofSeconds(2));
        stage.settled(first);

        assertTrue(stage.noisy("big"), "all the recent processing time was big's");
        assertEquals(List.of("small"), groups(stage.take(1)), "the quiet tenant first");
        assertEquals(List.of("big", "big"), groups(stage.take(2)), "then the noisy one, as nobody else waits");
    }

    @Test
    void aTenantWithThirtyInFlightAndMoreThanATenthOfThem_isNoisy_withTwentyNineItIsNot() {
        stage.add(messages("big", 29));
        stage.add(messages("other", 1));
        stage.take(30);
        assertFalse(stage.noisy("big"), "29 in flight: below the 30 the rule asks for");

        stage.add(messages("big", 1));
        stage.take(1);
        assertTrue(stage.noisy("big"), "30 of 31 in flight");
        assertFalse(stage.noisy("other"), "1 in flight");
    }

    @Test
    void aTenantTurnsNoisyAtThirtyInFlight_thenTheQuietOneComes_andAmongNoisyOnesTheFewestInFlightFirst() {
        stage.add(messages("a", 40));
        stage.add(messages("b", 40));

        List<String> first = groups(stage.take(36));
        assertEquals(30, first.stream().filter("a"::equals).count(), "a is noisy from its 30th in flight: " + first);
        assertEquals(List.of("b", "b", "b", "b", "b", "b"), first.subList(30, 36));

        List<String> next = groups(stage.take(31));
        assertEquals(java.util.Collections.nCopies(24, "b"), next.subList(0, 24), "b, quiet, until it has 30 in flight");
        assertTrue(stage.noisy("a") && stage.noisy("b"));
        assertEquals(List.of("a", "b", "a", "b", "a", "b", "a"), next.subList(24, 31),
                "both noisy: the fewest in flight first, a tie to the oldest message");
    }

    @Test
    void processingTimeOlderThanTheWindow_andATenantsTimeOnceItsBacklogDrained_countNoMore() {
        stage.add(messages("big", 3));
        List<ReceivedMessage> one = stage.take(1);
        clock.advance(Duration.ofSeconds(5));
        stage.settled(one);
        stage.add(messages("small", 1));
        List<ReceivedMessage> small = stage.take(1);
        assertEquals(List.of("small"), groups(small));
        clock.advance(Duration.ofSeconds(5));
        stage.settled(small);
        assertFalse(stage.noisy("small"), "its backlog drained: quiet again, its time forgotten");
        assertTrue(stage.noisy("big"));

        clock.advance(FairStage.WINDOW.plusSeconds(1));
        stage.take(0);
        assertFalse(stage.noisy("big"), "its processing left the window");
    }

    @Test
    void aMessageWithoutAGroupIsATenantOfItsOwn_andEachMessageIsTakenOnce() {
        List<ReceivedMessage> loose = messages(null, 3);
        stage.add(loose);
        stage.add(loose);

        assertEquals(3, stage.size(), "added twice, staged once");
        assertEquals(3, stage.take(10).stream().map(FairStage::groupOf).distinct().count());
        assertEquals(0, stage.size());
    }
}
