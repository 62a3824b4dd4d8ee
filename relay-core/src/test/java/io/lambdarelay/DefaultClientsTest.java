package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lambdarelay.janitor.RelayJanitorHandler;
import io.lambdarelay.local.testing.StubEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every SDK client the library builds for itself names the URL-connection HTTP client, even with
 * another HTTP client on the classpath: this module's tests have the Apache client there, which
 * the SDK takes for a client built from defaults. The clients' requests go to a stub endpoint,
 * whose record of each request's user agent says which HTTP client sent it.
 */
class DefaultClientsTest {
    private static Set<String> httpClients(StubEndpoint aws) {
        return aws.requests().stream().map(StubEndpoint.Request::httpClient).collect(Collectors.toSet());
    }

    @Test
    void sdkDefaults_withTheApacheClientOnTheClasspath_takeIt() {
        // The situation the library's clients must not fall into: this test's premise.
        try (StubEndpoint aws = StubEndpoint.startAsDefault(); SqsClient sqs = SqsClient.create()) {
            sqs.listQueues();
            assertEquals(Set.of("Apache"), httpClients(aws));
        }
    }

    @Test
    void relayCreate_buildsBothClientsOnTheUrlConnectionClient() {
        try (StubEndpoint aws = StubEndpoint.startAsDefault(); Relay relay = Relay.create()) {
            relay.wiring().clients().sqs().listQueues();
            relay.wiring().clients().lambda().listEventSourceMappings();
            assertEquals(List.of("ListQueues", "GET /2015-03-31/event-source-mappings"),
                    aws.requests().stream().map(StubEndpoint.Request::operation).toList());
            assertEquals(Set.of("UrlConnection"), httpClients(aws));
        }
    }

    @Test
    void janitorHandler_buildsItsClientsOnTheUrlConnectionClient() {
        // Its Lambda client comes from the same DefaultClients.lambda() as the relay's above; a sweep
        // that finds no relay queue makes SQS calls only.
        try (StubEndpoint aws = StubEndpoint.startAsDefault()) {
            String report = new RelayJanitorHandler().handleRequest(Map.of(), null);
            assertEquals(List.of("ListQueues"), aws.requests().stream().map(StubEndpoint.Request::operation).toList(),
                    report);
            assertEquals(Set.of("UrlConnection"), httpClients(aws));
        }
    }
}
