package io.lambdarelay;

import java.time.Instant;

/**
 * Where a packet belongs and where it stands: the relay's queue and mapping, its id, the hop, the
 * part of a fan-out, and the times the library routes it by. Immutable: passing a packet builds
 * the next header as a new value ({@link #next}), so a failed send leaves nothing to undo.
 *
 * @param queueUrl the relay queue (the wire's {@code QueueUrl})
 * @param mappingUuid the event-source mapping (the wire's {@code UUID})
 * @param relayId the relay's id; {@code null} for a packet the Node package started
 * @param sqsCount how many times the packet was passed (the Node package's counter)
 * @param hop hand-offs along this packet's chain
 * @param part this part's index, 0 to {@code parts - 1}; 0 for a chain
 * @param parts the fan-out's part count, 1 for a chain
 * @param createdAt when the relay was set up, or {@code null}
 * @param deadline past it a worker ends the relay, or {@code null}
 * @param notBefore a deferred packet runs no work before it, or {@code null}
 * @param dlqUrl the relay's dead-letter queue, or {@code null}
 * @param function the worker function's name, or {@code null}
 */
record Header(String queueUrl, String mappingUuid, String relayId, long sqsCount, long hop, int part, int parts,
        Instant createdAt, Instant deadline, Instant notBefore, String dlqUrl, String function) {

    /** The hop of a packet as its first worker receives it: setup makes hop 0, and its pass makes it 1. */
    static final long FIRST_HOP = 1;

    /** The header of a packet straight from setup. */
    static Header first(String queueUrl, String mappingUuid, String relayId, Instant createdAt, Instant deadline,
            String dlqUrl, String function) {
        return new Header(queueUrl, mappingUuid, relayId, 0, 0, 0, 1, createdAt, deadline, null, dlqUrl, function);
    }

    /** The header of this packet's next pass: one more send and hop, due at {@code notBefore} (or now). */
    Header next(Instant notBefore) {
        return new Header(queueUrl, mappingUuid, relayId, sqsCount + 1, hop + 1, part, parts, createdAt, deadline,
                notBefore, dlqUrl, function);
    }

    /** The header of a pass that repeats this hop: one more send, the same hop (a pooled packet waiting). */
    Header resent() {
        return new Header(queueUrl, mappingUuid, relayId, sqsCount + 1, hop, part, parts, createdAt, deadline, null,
                dlqUrl, function);
    }

    /** This header, not due before {@code notBefore} (or due now, for {@code null}). */
    Header withNotBefore(Instant notBefore) {
        return new Header(queueUrl, mappingUuid, relayId, sqsCount, hop, part, parts, createdAt, deadline, notBefore,
                dlqUrl, function);
    }

    /** This header as part {@code part} of {@code parts}. */
    Header asPart(int part, int parts) {
        return new Header(queueUrl, mappingUuid, relayId, sqsCount, hop, part, parts, createdAt, deadline, notBefore,
                dlqUrl, function);
    }

    /** Whether the packet is a part of a fan-out rather than a chain. */
    boolean isPart() {
        return parts > 1;
    }
}
