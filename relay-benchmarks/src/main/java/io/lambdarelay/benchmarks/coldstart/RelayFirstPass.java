package io.lambdarelay.benchmarks.coldstart;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;

/**
 * A fresh JVM's first relay hand-off, as a worker's first invocation does it: {@code Relay.create()}
 * with clients from the environment, then {@code relayPass} of the packet given as the argument.
 * Reports as soon as SQS has the message; the parent measures the time to that line.
 */
public final class RelayFirstPass {
    private RelayFirstPass() {
    }

    /**
     * Runs the hand-off.
     *
     * @param args the packet JSON
     */
    public static void main(String[] args) {
        try (Relay relay = Relay.create()) {
            String messageId = relay.relayPass(RelayPacket.fromJson(args[0]));
            System.out.println(ColdStartReport.sent(messageId));
            System.out.flush();
        }
    }
}
