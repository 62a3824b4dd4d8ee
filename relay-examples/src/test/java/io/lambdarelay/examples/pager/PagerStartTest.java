package io.lambdarelay.examples.pager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import io.lambdarelay.Relay;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.RelaySetupException;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pager's start in pooled mode with a pool named by POOL_QUEUE: it finds that pool and never makes one. */
class PagerStartTest {
    private LocalAws aws;
    private Relay relay;

    @BeforeEach
    void start() {
        aws = LocalAws.start();
        // Only the start is under test: the worker takes each packet and does nothing with it.
        aws.registerFunction("pager-worker", Duration.ofSeconds(5), (e, c) -> new SQSBatchResponse(List.of()));
    }

    @AfterEach
    void stop() {
        aws.close();
    }

    private Map<String, Object> pooledStart(String poolQueue) {
        relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
        return new PagerStart(relay, "pager-worker", poolQueue).handleRequest(Map.of("pageSize", 10, "pooled", 1),
                LocalContext.of("pager-start", Duration.ofSeconds(30)));
    }

    @Test
    void withPoolQueue_aPooledStartSendsIntoThatPool() {
        String pool = "lambda-relay-pool-made-by-a-template";
        Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build()
                .setup(null, "pager-worker", RelaySetup.builder().pooled(true).poolQueueName(pool).build());

        Map<String, Object> out = pooledStart(pool);

        assertTrue(out.get("queueUrl").toString().endsWith("/" + pool), out.toString());
    }

    @Test
    void withPoolQueue_aMissingPoolIsAnErrorThatSaysSo_andNoPoolIsCreated() {
        RelaySetupException e = assertThrows(RelaySetupException.class, () -> pooledStart("lambda-relay-pool-absent"));

        assertTrue(e.getMessage().contains("'lambda-relay-pool-absent' does not exist"), e.getMessage());
        assertEquals(List.of(), aws.sqsClient().listQueues(r -> r.queueNamePrefix("lambda-relay-pool-")).queueUrls(),
                "no pool made, neither that one nor the default");
    }
}
