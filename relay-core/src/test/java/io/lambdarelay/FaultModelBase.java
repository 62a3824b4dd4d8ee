package io.lambdarelay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** One embedded SQS per fault-model test class, and a fresh {@link FaultFixture} per test. */
abstract class FaultModelBase extends OnEmbeddedSqs {
    FaultFixture f;

    @BeforeEach
    void newFixture() {
        f = new FaultFixture(sqs);
    }

    @AfterEach
    void deleteQueues() {
        sqs.deleteAllQueues();
    }
}
