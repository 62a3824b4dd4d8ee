package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.faults.InjectedFault;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The extension injects one started LocalAws per test class. */
@ExtendWith(LocalAwsExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalAwsExtensionTest {

    private static final AtomicReference<LocalAws> FIRST = new AtomicReference<>();

    @Test
    @Order(1)
    void injectsAStartedLocalAws(LocalAws aws, SqsClient sqs, LambdaClient lambda) {
        FIRST.set(aws);
        assertSame(aws.sqsClient(), sqs);
        assertSame(aws.lambdaClient(), lambda);
        String url = sqs.createQueue(b -> b.queueName("injected")).queueUrl();
        assertTrue(url.endsWith("/000000000000/injected"), url);
        assertEquals(0, lambda.listEventSourceMappings().eventSourceMappings().size());
    }

    @Test
    @Order(2)
    void sharesTheInstanceAcrossTheClass(LocalAws aws, Faults faults) {
        assertSame(FIRST.get(), aws);
        assertTrue(aws.sqsClient().listQueues().queueUrls().stream().anyMatch(u -> u.endsWith("/injected")));
        assertSame(aws.faults(), faults);
        faults.on("ListQueues").fail(new IllegalStateException("injected"));
        assertThrows(IllegalStateException.class, () -> aws.sqsClient().listQueues());
    }

    @Test
    @Order(3)
    void endsTheFaultRulesOfTheTestBefore(LocalAws aws) {
        assertTrue(aws.sqsClient().listQueues().queueUrls().stream().anyMatch(u -> u.endsWith("/injected")),
                "the rule of the test before acts no more");
        assertEquals(1, aws.faults().injected(InjectedFault.Kind.FAILED).size(), "what it injected stays recorded");
    }
}
