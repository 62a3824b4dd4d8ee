/**
 * Exactly-once hand-offs and exact fan-in: the {@link io.lambdarelay.ledger.RelayLedger} SPI, its
 * in-memory implementation for tests and the local stack, and the tally it keeps. The DynamoDB
 * implementation is in the {@code relay-dynamodb} module.
 */
package io.lambdarelay.ledger;
