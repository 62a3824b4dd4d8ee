package io.lambdarelay;

/**
 * The chains end to end ({@link RelayOnLocalAwsTest}) with every relay in its worker's pool and no
 * ledger; two about relays set up on queues of their own (a worker's recursion left at
 * Terminate, a relay the Node package started) are skipped with the reason.
 */
class PooledRelayOnLocalAwsTest extends RelayOnLocalAwsTest {
    @Override
    boolean pooled() {
        return true;
    }
}
