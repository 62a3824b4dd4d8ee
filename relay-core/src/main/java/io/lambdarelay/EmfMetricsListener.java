package io.lambdarelay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes each invocation's {@link RelayMetrics} as one line of CloudWatch embedded metric format
 * (EMF, <a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html">its
 * specification</a>): a JSON object whose {@code _aws} member tells CloudWatch Logs which members
 * are metrics, in which namespace and with which dimensions. On Lambda, a line written to standard output goes
 * to the function's log group, and CloudWatch extracts the metrics from it; nothing calls
 * CloudWatch's API. Off unless registered:
 *
 * <pre>{@code
 * Relay relay = Relay.builder().metrics(EmfMetricsListener.create()).build();
 * }</pre>
 *
 * <p>The dimension is {@value #DIMENSION}, the worker function. The metrics: {@code Records},
 * {@code FailedRecords}, {@code UnitsCompleted}, {@code DeadlineHandOffs}, {@code Throttles}
 * (Count), {@code BudgetUsed} (Milliseconds), and, when known, {@code HopLatency} and
 * {@code TimeLeftAtHandOff} (Milliseconds) and {@code BudgetUsedPercent} (Percent). A line holds
 * those figures and the function's name, never packet contents. See docs/guide.md, "Metrics".
 *
 * <p>Immutable and thread-safe; each line is written with one {@code println}.
 */
public final class EmfMetricsListener implements RelayMetricsListener {
    /** The namespace unless another is set: {@value}. */
    public static final String DEFAULT_NAMESPACE = "LambdaRelay";
    /** The one dimension, whose value is the worker function's name: {@value}. */
    public static final String DIMENSION = "FunctionName";
    /** CloudWatch's longest namespace. */
    private static final int MAX_NAMESPACE = 255;

    private final String namespace;
    private final PrintStream out;
    private final JsonFactory json = new JsonFactory();

    private EmfMetricsListener(Builder b) {
        this.namespace = b.namespace;
        this.out = b.out;
    }

    /** {@return a listener writing to standard output in the namespace {@value #DEFAULT_NAMESPACE}} */
    public static EmfMetricsListener create() {
        return builder().build();
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the CloudWatch namespace of the metrics} */
    public String namespace() {
        return namespace;
    }

    /**
     * Writes the invocation's line.
     *
     * @param metrics what the invocation did
     */
    @Override
    public void invocationEnded(RelayMetrics metrics) {
        String line = line(metrics);
        (out == null ? System.out : out).println(line);
    }

    /** The EMF document of one invocation, on one line. */
    String line(RelayMetrics m) {
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric("Records", "Count", m.records()));
        metrics.add(new Metric("FailedRecords", "Count", m.failedRecords()));
        metrics.add(new Metric("UnitsCompleted", "Count", m.unitsCompleted()));
        m.hopLatencyMillis().ifPresent(v -> metrics.add(new Metric("HopLatency", "Milliseconds", v)));
        metrics.add(new Metric("BudgetUsed", "Milliseconds", m.budgetUsedMillis()));
        m.budgetUsedShare().ifPresent(v -> metrics.add(new Metric("BudgetUsedPercent", "Percent",
                Math.round(v * 10_000) / 100.0)));
        m.timeLeftAtHandOffMillis().ifPresent(v -> metrics.add(new Metric("TimeLeftAtHandOff", "Milliseconds", v)));
        metrics.add(new Metric("DeadlineHandOffs", "Count", m.deadlineHandOffs()));
        metrics.add(new Metric("Throttles", "Count", m.throttles()));
        StringWriter text = new StringWriter();
        try (JsonGenerator g = json.createGenerator(text)) {
            g.writeStartObject();
            g.writeObjectFieldStart("_aws");
            g.writeNumberField("Timestamp", m.time().toEpochMilli());
            g.writeArrayFieldStart("CloudWatchMetrics");
            g.writeStartObject();
            g.writeStringField("Namespace", namespace);
            g.writeArrayFieldStart("Dimensions");
            g.writeStartArray();
            g.writeString(DIMENSION);
            g.writeEndArray();
            g.writeEndArray();
            g.writeArrayFieldStart("Metrics");
            for (Metric metric : metrics) {
                g.writeStartObject();
                g.writeStringField("Name", metric.name());
                g.writeStringField("Unit", metric.unit());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeStringField(DIMENSION, m.functionName());
            for (Metric metric : metrics) {
                g.writeFieldName(metric.name());
                if (metric.value() == Math.rint(metric.value())) {
                    g.writeNumber((long) metric.value());
                } else {
                    g.writeNumber(metric.value());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /** One metric of a line: its name, CloudWatch unit and value. */
    private record Metric(String name, String unit, double value) {
    }

    /** Builds an {@link EmfMetricsListener}. Not thread-safe. */
    public static final class Builder {
        private String namespace = DEFAULT_NAMESPACE;
        private PrintStream out;

        private Builder() {
        }

        /**
         * Sets the CloudWatch namespace. Default {@value EmfMetricsListener#DEFAULT_NAMESPACE}.
         *
         * @param namespace 1 to 255 characters, not starting with {@code AWS/} (reserved for AWS)
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /**
         * Sets where the lines go. Default: {@link System#out} as it is when a line is written
         * (on Lambda, the function's log stream). The listener never closes the stream.
         *
         * @param out the stream
         * @return this builder
         */
        public Builder out(PrintStream out) {
            this.out = Objects.requireNonNull(out, "out");
            return this;
        }

        /**
         * Validates the settings and builds the listener.
         *
         * @return the listener
         * @throws IllegalArgumentException naming the bad setting
         */
        public EmfMetricsListener build() {
            if (namespace == null || namespace.isBlank()) {
                throw new IllegalArgumentException("namespace must name a CloudWatch namespace, got "
                        + (namespace == null ? "null" : "a blank string") + "; leave it unset for \""
                        + DEFAULT_NAMESPACE + "\"");
            }
            if (namespace.length() > MAX_NAMESPACE) {
                throw new IllegalArgumentException("namespace must be at most " + MAX_NAMESPACE
                        + " characters (CloudWatch's limit), got " + namespace.length());
            }
            if (namespace.startsWith("AWS/")) {
                throw new IllegalArgumentException("namespace must not start with \"AWS/\" (reserved for AWS's own "
                        + "metrics), got \"" + namespace + "\"; use your own, such as \"" + DEFAULT_NAMESPACE + "\"");
            }
            return new EmfMetricsListener(this);
        }
    }
}
