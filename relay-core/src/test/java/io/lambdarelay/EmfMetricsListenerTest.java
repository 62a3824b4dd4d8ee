package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The lines {@link EmfMetricsListener} writes follow CloudWatch's embedded metric format: an
 * {@code _aws} object with the timestamp and one metric directive (namespace, the dimension set
 * {@code [["FunctionName"]]}, each metric's name and unit), and every declared metric and dimension
 * as a member of the root.
 */
class EmfMetricsListenerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-30T08:15:00.250Z");

    private static RelayMetrics full() {
        return new RelayMetrics(AT, "import-worker", 2, 1, 41, OptionalLong.of(180), 8_700, OptionalDouble.of(0.87),
                OptionalLong.of(1_250), 1, 3);
    }

    private static JsonNode written(EmfMetricsListener.Builder builder, RelayMetrics m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        builder.out(new PrintStream(out, true, StandardCharsets.UTF_8)).build().invocationEnded(m);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), "one line: " + text);
        assertTrue(text.endsWith(System.lineSeparator()));
        return JSON.readTree(text);
    }

    /** The declared metrics, name to unit, in order. */
    private static Map<String, String> declared(JsonNode doc) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode m : doc.at("/_aws/CloudWatchMetrics/0/Metrics")) {
            out.put(m.get("Name").asText(), m.get("Unit").asText());
        }
        return out;
    }

    @Test
    void aLine_isOneEmfDocument_withTheDirectiveAndEveryValueAtTheRoot() throws Exception {
        JsonNode doc = written(EmfMetricsListener.builder(), full());

        assertEquals(AT.toEpochMilli(), doc.at("/_aws/Timestamp").asLong());
        assertEquals(1, doc.at("/_aws/CloudWatchMetrics").size());
        JsonNode directive = doc.at("/_aws/CloudWatchMetrics/0");
        assertEquals(List.of("Namespace", "Dimensions", "Metrics"), fieldNames(directive));
        assertEquals("LambdaRelay", directive.get("Namespace").asText());
        assertEquals("[[\"FunctionName\"]]", directive.get("Dimensions").toString());
        Map<String, String> units = new LinkedHashMap<>();
        units.put("Records", "Count");
        units.put("FailedRecords", "Count");
        units.put("UnitsCompleted", "Count");
        units.put("HopLatency", "Milliseconds");
        units.put("BudgetUsed", "Milliseconds");
        units.put("BudgetUsedPercent", "Percent");
        units.put("TimeLeftAtHandOff", "Milliseconds");
        units.put("DeadlineHandOffs", "Count");
        units.put("Throttles", "Count");
        assertEquals(units, declared(doc));
        assertEquals("import-worker", doc.get("FunctionName").asText());
        Map<String, Number> values = new LinkedHashMap<>();
        for (String name : units.keySet()) {
            assertTrue(doc.get(name).isNumber(), name + " is a number at the root");
            values.put(name, doc.get(name).numberValue());
        }
        assertEquals(Map.of("Records", 2L, "FailedRecords", 1L, "UnitsCompleted", 41L, "HopLatency", 180L,
                "BudgetUsed", 8_700L, "BudgetUsedPercent", 87L, "TimeLeftAtHandOff", 1_250L, "DeadlineHandOffs", 1L,
                "Throttles", 3L), longs(values));
        List<String> root = fieldNames(doc);
        root.removeAll(units.keySet());
        assertEquals(List.of("_aws", "FunctionName"), root, "nothing else in the line");
    }

    @Test
    void unknownFigures_areNeitherDeclaredNorWritten() throws Exception {
        RelayMetrics m = new RelayMetrics(AT, "w", 1, 0, 3, OptionalLong.empty(), 120, OptionalDouble.empty(),
                OptionalLong.empty(), 0, 0);

        JsonNode doc = written(EmfMetricsListener.builder().namespace("Jobs/Import"), m);

        assertEquals("Jobs/Import", doc.at("/_aws/CloudWatchMetrics/0/Namespace").asText());
        assertEquals(List.of("Records", "FailedRecords", "UnitsCompleted", "BudgetUsed", "DeadlineHandOffs",
                "Throttles"), List.copyOf(declared(doc).keySet()));
        for (String absent : List.of("HopLatency", "BudgetUsedPercent", "TimeLeftAtHandOff")) {
            assertFalse(doc.has(absent), absent);
        }
    }

    @Test
    void aPercentThatIsNotWhole_keepsTwoDecimals() throws Exception {
        RelayMetrics m = new RelayMetrics(AT, "w", 1, 0, 3, OptionalLong.empty(), 5_001, OptionalDouble.of(0.50015),
                OptionalLong.empty(), 0, 0);

        assertEquals(50.02, written(EmfMetricsListener.builder(), m).get("BudgetUsedPercent").doubleValue());
    }

    @Test
    void aFunctionNameThatNeedsEscaping_staysValidJson() throws Exception {
        RelayMetrics m = new RelayMetrics(AT, "odd\"name\\\n", 1, 0, 0, OptionalLong.empty(), 0, OptionalDouble.empty(),
                OptionalLong.empty(), 0, 0);

        assertEquals("odd\"name\\\n", written(EmfMetricsListener.builder(), m).get("FunctionName").asText());
    }

    @Test
    void theBuilder_refusesANamespaceCloudWatchWouldRefuse_sayingWhy() {
        for (String bad : new String[] {null, " ", "AWS/Lambda", "n".repeat(256)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmfMetricsListener.builder().namespace(bad).build(), String.valueOf(bad));
            assertTrue(e.getMessage().startsWith("namespace must"), e.getMessage());
        }
        assertEquals("n".repeat(255), EmfMetricsListener.builder().namespace("n".repeat(255)).build().namespace());
        assertEquals(EmfMetricsListener.DEFAULT_NAMESPACE, EmfMetricsListener.create().namespace());
    }

    @Test
    void relayMetrics_refusesNegativeFigures_namingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RelayMetrics(AT, "w", 1,
                0, -1, OptionalLong.empty(), 0, OptionalDouble.empty(), OptionalLong.empty(), 0, 0));
        assertEquals("unitsCompleted must not be negative, got -1", e.getMessage());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, Long> longs(Map<String, Number> values) {
        Map<String, Long> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            assertEquals(v.doubleValue(), Math.rint(v.doubleValue()), k + " is whole");
            out.put(k, v.longValue());
        });
        return out;
    }
}
