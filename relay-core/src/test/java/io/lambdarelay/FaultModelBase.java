package io.lambdarelay;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.local.LocalAws;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One {@link LocalAws} per fault-model test class, with virtual time and manual delivery, and its
 * worker function {@link FaultFixture#WORKER}, which runs the worker of the test at hand; a fresh
 * {@link FaultFixture} per test. Test classes run one after another.
 */
abstract class FaultModelBase {
    static LocalAws aws;
    /** The worker the function runs in the current test. */
    static final AtomicReference<RelayWorker> WORKER_CODE = new AtomicReference<>();
    /** Invocations whose handler returned with its thread still interrupted. */
    static final AtomicInteger WORKER_INTERRUPTED = new AtomicInteger();
    FaultFixture f;

    @BeforeAll
    static void startLocalAws() {
        aws = LocalAws.builder().virtualTime(true).manualDelivery(true).start();
        aws.registerFunction(FaultFixture.WORKER, FaultFixture.TIMEOUT, (SQSEvent event, com.amazonaws.services
                .lambda.runtime.Context context) -> {
            RelayWorker w = WORKER_CODE.get();
            if (w == null) {
                throw new IllegalStateException("the test delivered before it chose a worker (FaultFixture.use)");
            }
            SQSBatchResponse response = w.handleRequest(event, context);
            if (Thread.currentThread().isInterrupted()) {
                WORKER_INTERRUPTED.incrementAndGet(); // an interrupt the worker left behind
            }
            return response;
        });
    }

    @AfterAll
    static void stopLocalAws() {
        aws.close();
    }

    @BeforeEach
    void newFixture() {
        WORKER_INTERRUPTED.set(0);
        f = new FaultFixture(aws, WORKER_CODE, pooled());
    }

    /** Whether this class runs its scenarios in pooled mode; a subclass says so. */
    boolean pooled() {
        return false;
    }

    @AfterEach
    void cleanUp() {
        WORKER_CODE.set(null);
        f.deleteEverything();
    }
}
