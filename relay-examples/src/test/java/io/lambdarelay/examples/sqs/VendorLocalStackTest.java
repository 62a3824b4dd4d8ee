package io.lambdarelay.examples.sqs;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The vendor example's SQS side on LocalStack's SQS: setup's queues, attributes and tags, the
 * hand-offs and the tear-down, with the worker run in this JVM by {@link ManualMapping} and Lambda
 * stubbed (nothing is deployed). Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class VendorLocalStackTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(LocalStackImage.NAME)
            .withServices(LocalStackContainer.Service.SQS);

    @Test
    void vendor_setupPassesAndTearDown_onLocalStackSqs() throws Exception {
        try (SqsClient sqs = LocalStackImage.sqsClient(LOCALSTACK)) {
            SqsSideScenarios.vendor(sqs, LOCALSTACK.getRegion());
        }
    }
}
