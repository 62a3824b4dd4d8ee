package io.lambdarelay.ledger;

import io.lambdarelay.RelayException;

/**
 * Thrown by a {@link RelayLedger} that cannot reach its store. The worker fails the record, so SQS
 * redelivers it later; nothing proceeds without the guard.
 */
public class LedgerUnavailableException extends RelayException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause the store's exception
     */
    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
