package io.lambdarelay;

/** The fan-outs end to end ({@link ParallelRelayOnLocalAwsTest}) with every relay in its worker's pool. */
class PooledParallelRelayOnLocalAwsTest extends ParallelRelayOnLocalAwsTest {
    @Override
    boolean pooled() {
        return true;
    }
}
