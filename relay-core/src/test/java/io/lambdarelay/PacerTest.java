package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rate limit's pacing: an absolute schedule per part, and the adaptive share. Time is a fake clock. */
class PacerTest {
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final AdaptiveRates rates = new AdaptiveRates();

    /** A part of a relay limited to 100 units/s over 10 running parts: 10/s each, one every 100 ms. */
    private static RelayPacket part(boolean adaptive, long paceAt) {
        String stats = "\"relayId\":\"r1\",\"hop\":3,\"parts\":10,\"part\":2,\"rate\":100.0,\"concurrency\":10"
                + (adaptive ? ",\"adaptiveRate\":1" : "") + (paceAt > 0 ? ",\"paceAt\":" + paceAt : "");
        return RelayPacket.fromJson("{\"QueueUrl\":\"https://q/1/x\",\"UUID\":\"u\",\"stats\":{" + stats + "}}");
    }

    private void advance(long ms) {
        clock.advance(Duration.ofMillis(ms));
    }

    @Test
    void aFreshPart_waitsOneInterval_thenKeepsAnAbsoluteSchedule() {
        RelayPacket pkt = part(false, 0);
        Pacer p = Pacer.of(pkt, clock, rates);
        assertEquals(100, p.waitMillis(), "another part may have just used this worker");
        advance(100);
        p.unitStarts(pkt);
        advance(30); // the unit
        assertEquals(70, p.waitMillis());
        advance(70 + 40); // overslept by 40 ms
        p.unitStarts(pkt);
        advance(10);
        assertEquals(50, p.waitMillis(), "due 100 ms after the last unit was due, not after it started");
        assertEquals(T0.toEpochMilli() + 300, pkt.hopState().paceAt(), "the packet carries the next due time");
    }

    @Test
    void aUnitFarBehind_catchesUpOneIntervalAtMost() {
        RelayPacket pkt = part(false, 0);
        Pacer p = Pacer.of(pkt, clock, rates);
        advance(100);
        p.unitStarts(pkt);
        advance(450); // a slow unit: the schedule is 350 ms behind
        assertEquals(0, p.waitMillis());
        p.unitStarts(pkt);
        assertEquals(0, p.waitMillis(), "one interval is caught up at once");
        p.unitStarts(pkt);
        assertEquals(100, p.waitMillis(), "then the pace is even again");
    }

    @Test
    void afterAHandOff_aPartDueWithinAnInterval_goesOnWithItsSchedule_oneLongerParked_startsAfresh() {
        long now = T0.toEpochMilli();
        assertEquals(0, Pacer.of(part(false, now - 60), clock, rates).waitMillis(), "due 60 ms ago: at once");
        assertEquals(40, Pacer.of(part(false, now + 40), clock, rates).waitMillis());
        assertEquals(100, Pacer.of(part(false, now - 5_000), clock, rates).waitMillis(),
                "parked for 5 s while others used the rate: one interval from now");
    }

    @Test
    void aThrottledUnit_withAFixedLimit_isLeftToTheBackOff_andTheNextHopStartsAfresh() {
        RelayPacket pkt = part(false, 0);
        Pacer p = Pacer.of(pkt, clock, rates);
        p.unitStarts(pkt);
        assertFalse(p.throttled(pkt));
        assertEquals(0, pkt.hopState().paceAt());
    }

    @Test
    void adaptive_slowStartDoublesEachSecond_theFirstThrottleHalves_laterOnesTakeThirtyPercent() {
        RelayPacket pkt = part(true, 0);
        Pacer p = Pacer.of(pkt, clock, rates);
        assertEquals(10.0, rates.share("r1", 0, false, 0), 1e-9, "starts at its share of rateLimit");
        advance(1_000);
        p.succeeded(pkt);
        assertEquals(20.0, pkt.hopState().partRate(), 1e-9);
        advance(1_000);
        p.succeeded(pkt);
        assertEquals(40.0, pkt.hopState().partRate(), 1e-9);
        assertTrue(p.throttled(pkt), "tried again at once, at the lower pace");
        assertEquals(20.0, pkt.hopState().partRate(), 1e-9);
        assertTrue(pkt.hopState().rateFound());
        assertEquals(50, p.waitMillis(), "one interval at 20/s");
        p.throttled(pkt);
        assertEquals(20.0, pkt.hopState().partRate(), 1e-9, "throttles within 100 ms count once");
        advance(100);
        p.throttled(pkt);
        assertEquals(14.0, pkt.hopState().partRate(), 1e-9);
        advance(1_000);
        p.succeeded(pkt);
        assertEquals(15.4, pkt.hopState().partRate(), 1e-9, "10% a second once the limit was met");
    }

    @Test
    void adaptive_aPartOnThisWorker_startsFromWhatTheRelaysPartsFoundHere_aFreshWorkerFromItsPacket() {
        RelayPacket first = part(true, 0);
        Pacer p = Pacer.of(first, clock, rates);
        advance(2_000);
        p.succeeded(first); // 40/s found here
        RelayPacket another = part(true, 0);
        Pacer.of(another, clock, rates).succeeded(another);
        assertEquals(40.0, another.hopState().partRate(), 1e-9);

        AdaptiveRates freshWorker = new AdaptiveRates();
        RelayPacket carried = RelayPacket.fromJson(first.toJson());
        Pacer q = Pacer.of(carried, clock, freshWorker);
        assertEquals(25, q.waitMillis(), "40/s, from the packet");
    }

    @Test
    void theAdaptivePolicyAndShare_travelInThePacket_andABadShareMakesItInvalid() {
        RelayPacket pkt = part(true, 0);
        pkt.hopState(pkt.hopState().withPartRate(42.5, true));
        RelayPacket back = RelayPacket.fromJson(pkt.toJson());
        assertTrue(back.policy().adaptive());
        assertEquals(42.5, back.hopState().partRate(), 1e-9);
        assertTrue(back.hopState().rateFound());
        assertFalse(part(false, 0).policy().adaptive());
        String bad = pkt.toJson().replace("\"partRate\":42.5", "\"partRate\":-1");
        InvalidPacketException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidPacketException.class,
                () -> RelayPacket.fromJson(bad));
        assertTrue(e.getMessage().contains("stats.partRate' must be a positive number"), e.getMessage());
    }
}
