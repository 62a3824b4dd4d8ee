package io.lambdarelay.examples.sqs;

import io.lambdarelay.local.LocalAws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LocalStack tests' scenarios on LocalAws's embedded SQS, so they run everywhere: this keeps
 * the code the LocalStack tests share honest where no Docker engine is reachable.
 */
class SqsSideOnEmbeddedSqsTest {
    private static LocalAws aws;

    @BeforeAll
    static void start() {
        aws = LocalAws.start();
    }

    @AfterAll
    static void stop() {
        // Closing waits seconds for the embedded SQS to stop; nothing here depends on it.
        Thread closer = new Thread(aws::close, "local-aws-close");
        closer.setDaemon(true);
        closer.start();
    }

    @Test
    void pager_setupPassesAndTearDown_onEmbeddedSqs() throws Exception {
        SqsSideScenarios.pager(aws.sqsClient(), aws.region().id());
    }

    @Test
    void vendor_setupPassesAndTearDown_onEmbeddedSqs() {
        SqsSideScenarios.vendor(aws.sqsClient(), aws.region().id());
    }
}
