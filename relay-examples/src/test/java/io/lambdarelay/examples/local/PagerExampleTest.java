package io.lambdarelay.examples.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.examples.Captured;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pager on LocalAws, smaller than the main command's run but with the same checks. */
class PagerExampleTest {

    @Test
    void pager_50000Rows_oneSecondWorkerTimeout_isExactOverSeveralHops() throws Exception {
        Captured out = new Captured();
        PagerRun.Result r = new PagerRun(new PagerRun.Options(50_000, 250, 10, Duration.ofSeconds(1),
                Duration.ofMinutes(2))).run(out.out());
        System.out.print(out.text()); // kept in target/surefire-reports/*-output.txt

        assertTrue(r.exact(), out.text());
        assertEquals(50_000, r.rows(), out.text());
        assertEquals(201, r.pages(), "200 full pages and an empty one that ends the chain");
        assertTrue(r.hops() >= 3, "a 1 s worker cannot read 200 pages of 10 ms in one invocation: " + out.text());
        assertTrue(r.workerInvocations() >= r.hops() && r.workerInvocations() - r.hops() <= r.timeouts(),
                "one worker invocation per hop; only an invocation that timed out (a loaded machine) is repeated: "
                        + out.text());
        assertEquals(0, r.dlqMessages(), out.text());
        assertEquals(0, r.leftoverQueues(), out.text());
        assertEquals(0, r.leftoverMappings(), out.text());
        assertTrue(!out.text().contains("ledger reads"), "a relay with a queue of its own reads no state: " + out.text());
        assertTrue(r.passed(), out.text());
    }

    @Test
    void pager_inTheWorkersPool_isExact_andLeavesOnlyThePool() throws Exception {
        Captured out = new Captured();
        PagerRun.Result r = new PagerRun(new PagerRun.Options(20_000, 250, 10, Duration.ofSeconds(1),
                Duration.ofMinutes(2)), true).run(out.out());
        System.out.print(out.text());

        assertTrue(r.exact(), out.text());
        assertEquals(20_000, r.rows(), out.text());
        assertEquals(81, r.pages(), "80 full pages and an empty one that ends the chain");
        assertTrue(r.hops() >= 2, out.text());
        assertEquals(0, r.dlqMessages(), out.text());
        assertEquals(2, r.leftoverQueues(), "the pool's queue and dead-letter queue stay: " + out.text());
        assertEquals(1, r.leftoverMappings(), "the pool's mapping stays: " + out.text());
        assertTrue(out.text().contains("ended in the ledger"), out.text());
        assertTrue(out.text().contains(", " + r.hops() + " ledger reads:"),
                "the summary's cost counts each hop's read of the relay's state: " + out.text());
        assertTrue(r.passed(), out.text());
    }
}
