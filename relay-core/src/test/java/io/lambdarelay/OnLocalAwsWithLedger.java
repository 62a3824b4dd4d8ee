package io.lambdarelay;

import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.local.LocalAws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Test classes that run relays end to end on one {@code LocalAws}, with a relay on its clients and
 * an in-memory ledger; started before the class's first test, closed after its last.
 */
abstract class OnLocalAwsWithLedger {
    static LocalAws aws;
    static Relay relay;

    @BeforeAll
    static void start() {
        aws = LocalAws.start();
        relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .ledger(new InMemoryRelayLedger()).build();
    }

    @AfterAll
    static void stop() {
        aws.close();
    }
}
