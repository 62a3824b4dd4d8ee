package io.lambdarelay.examples.quickstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelaySetup;
import java.util.Map;
import java.util.Objects;

/**
 * The README's start function: sets up a relay to the function {@code importWorker} and passes
 * it the first packet, the input's {@code url} at offset 0; returns the relay's id. If the pass
 * fails, the relay's queues and mapping are deleted again. Thread-safe.
 */
public final class StartImport implements RequestHandler<Map<String, String>, String> {
    private final Relay relay;

    /** Lambda calls this one: the relay's clients come from the function's environment. */
    public StartImport() {
        this(Relay.create());
    }

    /** Tests call this one, with a relay on LocalAws. */
    public StartImport(Relay relay) {
        this.relay = Objects.requireNonNull(relay, "relay");
    }

    @Override
    public String handleRequest(Map<String, String> input, Context context) {
        RelayPacket first = relay.start(context, "importWorker", RelaySetup.defaults(),  // queue + DLQ + mapping
                pkt -> pkt.put("url", input.get("url")).put("offset", 0L));              // then one SendMessage
        return first.relayId();
    }
}
