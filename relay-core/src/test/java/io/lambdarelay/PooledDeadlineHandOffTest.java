package io.lambdarelay;

/** The deadline hand-off's scenarios ({@link DeadlineHandOffTest}) with every relay in its worker's pool. */
class PooledDeadlineHandOffTest extends DeadlineHandOffTest {
    @Override
    boolean pooled() {
        return true;
    }
}
