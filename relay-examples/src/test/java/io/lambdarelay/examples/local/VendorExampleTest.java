package io.lambdarelay.examples.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.examples.Captured;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The vendor fan-out on LocalAws: paced to the limit, and deliberately faster than it. */
class VendorExampleTest {

    @Test
    void relayPacedToTheLimit_everyCallAnsweredOnce_andNo429s() {
        Captured out = new Captured();
        VendorRun.Result r = new VendorRun(new VendorRun.Options(3_000, 10, 5, 1_000, 1_000, false, Duration.ofSeconds(2),
                Duration.ofMinutes(2))).run(out.out());
        System.out.print(out.text()); // kept in target/surefire-reports/*-output.txt

        assertEquals(0, r.lost(), out.text());
        assertEquals(0, r.duplicates(), out.text());
        assertEquals(3_000, r.ok(), out.text());
        assertEquals(0, r.throttled(), "a relay paced to the vendor's limit sees no 429: " + out.text());
        assertEquals(10, r.partsDone(), out.text());
        assertTrue(r.achievedRate() <= 1_000 * 1.1, "the relay does not outrun the limit: " + out.text());
        assertTrue(r.passed(), out.text());
    }

    @Test
    void relayFourTimesFasterThanTheLimit_sees429s_andStillLosesNoCall() {
        Captured out = new Captured();
        VendorRun.Result r = new VendorRun(new VendorRun.Options(400, 4, 4, 100, 400, false, Duration.ofSeconds(2),
                Duration.ofMinutes(2))).run(out.out());
        System.out.print(out.text()); // kept in target/surefire-reports/*-output.txt

        assertTrue(r.throttled() > 0, "the vendor must have answered 429: " + out.text());
        assertEquals(r.requests(), r.ok() + r.throttled(), out.text());
        assertEquals(400, r.ok(), "each 429 was made again later and then answered 200: " + out.text());
        assertEquals(0, r.lost(), out.text());
        assertEquals(0, r.duplicates(), out.text());
        assertEquals(4, r.partsDone(), out.text());
        assertTrue(r.hops() > 4, "throttled parts were handed on with a back-off: " + out.text());
        assertTrue(r.passed(), out.text());
    }

    @Test
    void adaptiveRate_startingTenTimesTooLow_findsTheLimitFrom429s_andStillMakesEachCallOnce() {
        Captured out = new Captured();
        VendorRun.Result r = new VendorRun(new VendorRun.Options(2_000, 4, 4, 200, 20, true, Duration.ofSeconds(2),
                Duration.ofMinutes(2))).run(out.out());
        System.out.print(out.text()); // kept in target/surefire-reports/*-output.txt

        assertTrue(r.throttled() > 0, "it grew until the vendor answered 429: " + out.text());
        assertEquals(2_000, r.ok(), out.text());
        assertEquals(0, r.lost(), out.text());
        assertEquals(0, r.duplicates(), out.text());
        assertEquals(4, r.partsDone(), out.text());
        assertTrue(r.passed(), out.text());
    }

    @Test
    void inTheWorkersPool_pacedToTheLimit_everyCallAnsweredOnce_andOnlyThePoolLeft() {
        Captured out = new Captured();
        VendorRun.Result r = new VendorRun(new VendorRun.Options(2_000, 8, 5, 1_000, 1_000, false, Duration.ofSeconds(2),
                Duration.ofMinutes(2)), true).run(out.out());
        System.out.print(out.text());

        assertEquals(0, r.lost(), out.text());
        assertEquals(0, r.duplicates(), out.text());
        assertEquals(2_000, r.ok(), out.text());
        assertEquals(8, r.partsDone(), out.text());
        assertTrue(out.text().contains("only the pool left") && out.text().contains("ended in the ledger"),
                out.text());
        assertTrue(r.passed(), out.text());
    }
}
