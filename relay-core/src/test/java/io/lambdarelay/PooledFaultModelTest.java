package io.lambdarelay;

/**
 * The fault model's scenarios ({@link FaultModelTest}) with every relay in its worker's pool:
 * the same faults, the same exact results and ends. Three scenarios are about a relay's own
 * resources (the drain watchdog of a fan-out without a ledger, a forged packet naming another
 * relay's mapping, a deleted mapping and the janitor) and are skipped here with the reason.
 */
class PooledFaultModelTest extends FaultModelTest {
    @Override
    boolean pooled() {
        return true;
    }
}
