package io.lambdarelay;

/**
 * The operational scenarios ({@link FaultModelOperationsTest}) with every relay in its worker's
 * pool; two about a relay's own resources (the no-ledger watchdog, the janitor finishing a
 * tear-down) are skipped with the reason.
 */
class PooledFaultModelOperationsTest extends FaultModelOperationsTest {
    @Override
    boolean pooled() {
        return true;
    }
}
