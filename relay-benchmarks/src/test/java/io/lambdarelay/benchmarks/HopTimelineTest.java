package io.lambdarelay.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HopTimelineTest {
    @Test
    void gaps_areConsecutiveStartDifferences_inMilliseconds() {
        HopTimeline t = new HopTimeline(4);
        t.record(3, 25_500_000L); // out of order on purpose: hops are indexed, not appended
        t.record(1, 10_000_000L);
        t.record(2, 12_000_000L);
        t.record(4, 26_000_000L);
        assertArrayEquals(new double[] {2.0, 13.5, 0.5}, t.gapsMillis(), 1e-12);
        assertEquals(0, t.repeats());
    }

    @Test
    void aRedeliveredHop_keepsItsFirstStart_andCountsAsARepeat() {
        HopTimeline t = new HopTimeline(2);
        t.record(1, 1_000_000L);
        t.record(2, 3_000_000L);
        t.record(2, 9_000_000L);
        assertArrayEquals(new double[] {2.0}, t.gapsMillis(), 1e-12);
        assertEquals(1, t.repeats());
    }

    @Test
    void aMissingHop_isNamed_andGapsRefuseToGuess() {
        HopTimeline t = new HopTimeline(3);
        t.record(1, 1L);
        t.record(3, 3L);
        assertEquals(List.of(2), t.missing());
        IllegalStateException e = assertThrows(IllegalStateException.class, t::gapsMillis);
        assertEquals("1 hop(s) never ran, the first is hop 2", e.getMessage());
    }

    @Test
    void aHopThatStartsBeforeItsPredecessor_isAnError() {
        HopTimeline t = new HopTimeline(2);
        t.record(1, 5L);
        t.record(2, 4L);
        assertThrows(IllegalStateException.class, t::gapsMillis);
    }

    @Test
    void hopsOutsideTheChain_areRefused() {
        HopTimeline t = new HopTimeline(2);
        assertThrows(IllegalArgumentException.class, () -> t.record(0, 1L));
        assertThrows(IllegalArgumentException.class, () -> t.record(3, 1L));
    }
}
