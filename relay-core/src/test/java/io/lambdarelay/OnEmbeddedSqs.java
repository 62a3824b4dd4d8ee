package io.lambdarelay;

import io.lambdarelay.local.testing.SqsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Test classes that talk to one embedded SQS: it starts before the class's first test and closes
 * after its last. Test classes run one after another, so each has the server to itself.
 */
abstract class OnEmbeddedSqs {
    static SqsServer sqs;

    @BeforeAll
    static void startSqs() {
        sqs = SqsServer.start();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
    }
}
