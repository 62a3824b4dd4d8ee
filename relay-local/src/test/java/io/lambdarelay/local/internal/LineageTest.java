package io.lambdarelay.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lineage field of the X-Ray trace header. */
class LineageTest {

    @Test
    void fromTraceHeader_readsEveryFunctionsCount() {
        Lineage l = Lineage.fromTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0;"
                + "Lineage=a87bd80c:3|68fd508a:5");
        assertEquals(3, l.count("a87bd80c"));
        assertEquals(5, l.count("68fd508a"));
        assertEquals(0, l.count("00000000"));
    }

    @Test
    void fromTraceHeader_missingOrMalformed_isEmpty() {
        assertEquals(Lineage.empty(), Lineage.fromTraceHeader(null));
        assertEquals(Lineage.empty(), Lineage.fromTraceHeader("Root=1-abc;Sampled=1"));
        assertEquals(Lineage.empty(), Lineage.fromTraceHeader("Lineage=nonsense"));
        assertEquals(2, Lineage.fromTraceHeader("Lineage=bad:x|ok:2").count("ok"));
    }

    @Test
    void next_countsOneHopForTheFunction_andKeepsTheOthers() {
        Lineage l = Lineage.fromTraceHeader("Lineage=aaaa0000:15|bbbb0000:2").next("aaaa0000");
        assertEquals(16, l.count("aaaa0000"));
        assertEquals(2, l.count("bbbb0000"));
        assertEquals(1, Lineage.empty().next("cccc0000").count("cccc0000"));
    }

    @Test
    void toTraceHeader_keepsTheTraceAndReplacesTheLineage() {
        String header = Lineage.fromTraceHeader("Lineage=aaaa0000:1").next("aaaa0000")
                .toTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Lineage=aaaa0000:1");
        assertEquals("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Lineage=aaaa0000:2", header);
        String fresh = Lineage.empty().next("aaaa0000").toTraceHeader(null);
        assertTrue(fresh.matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0;Lineage=aaaa0000:1"), fresh);
    }

    @Test
    void merge_keepsTheLargerCountPerFunction() {
        Lineage a = Lineage.fromTraceHeader("Lineage=aaaa0000:4|bbbb0000:1");
        Lineage b = Lineage.fromTraceHeader("Lineage=aaaa0000:2|bbbb0000:7");
        Lineage merged = a.merge(b);
        assertEquals(4, merged.count("aaaa0000"));
        assertEquals(7, merged.count("bbbb0000"));
    }
}
