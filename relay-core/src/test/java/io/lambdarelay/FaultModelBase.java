package io.lambdarelay;

import io.lambdarelay.local.testing.SqsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One embedded SQS per fault-model test class, and a fresh {@link FaultFixture} per test. */
abstract class FaultModelBase {
    static SqsServer sqs;
    FaultFixture f;

    @BeforeAll
    static void startSqs() {
        sqs = SqsServer.start();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
    }

    @BeforeEach
    void newFixture() {
        f = new FaultFixture(sqs);
    }

    @AfterEach
    void deleteQueues() {
        sqs.deleteAllQueues();
    }
}
