package io.lambdarelay.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lambdarelay.benchmarks.FootprintBenchmark.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

class FootprintBenchmarkTest {
    @Test
    void relayCoreSubtree_keepsEachDependencyOnceAtItsShallowestPlace_andSkipsOtherBranches() {
        List<String> tree = List.of(
                "io.lambdarelay:relay-benchmarks:jar:0.1.0-SNAPSHOT",
                "+- io.lambdarelay:relay-core:jar:0.1.0-SNAPSHOT:compile",
                "|  +- software.amazon.awssdk:sqs:jar:2.41.18:compile (version managed from 2.41.18)",
                "|  |  +- software.amazon.awssdk:sdk-core:jar:2.41.18:compile",
                "|  |  |  +- (org.slf4j:slf4j-api:jar:2.0.16:compile - omitted for duplicate)",
                "|  |  |  \\- (org.reactivestreams:reactive-streams:jar:1.0.4:compile - omitted for duplicate)",
                "|  |  \\- (software.amazon.awssdk:utils:jar:2.41.18:compile - omitted for duplicate)",
                "|  \\- org.slf4j:slf4j-api:jar:2.0.16:compile",
                "\\- org.elasticmq:elasticmq-rest-sqs_2.13:jar:1.7.1:provided",
                "   \\- org.reactivestreams:reactive-streams:jar:1.0.4:provided");

        List<Node> deps = FootprintBenchmark.relayCoreSubtree(tree);

        assertEquals(List.of("software.amazon.awssdk:sqs", "software.amazon.awssdk:sdk-core",
                "org.reactivestreams:reactive-streams", "software.amazon.awssdk:utils", "org.slf4j:slf4j-api"),
                deps.stream().map(Node::ga).toList());
        Node slf4j = deps.get(4);
        assertEquals(2, slf4j.depth());
        assertEquals("org.slf4j:slf4j-api:jar:2.0.16:compile", slf4j.coordinates());
        assertEquals("software.amazon.awssdk:sqs", deps.get(2).via());
        assertEquals("software.amazon.awssdk:sqs:jar:2.41.18:compile", deps.get(0).coordinates());
    }
}
