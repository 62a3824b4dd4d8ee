package io.lambdarelay.dynamodb.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * One {@link Dynalite} for a test class, registered as a static {@code @RegisterExtension} field:
 * started before the class's first test, closed after its last. Where it cannot run (no Node.js),
 * each test is skipped by an assumption carrying the one-line reason, so the build reports them
 * as skipped (an assumption failing in {@code @BeforeAll} would make Maven Surefire report no
 * tests at all).
 */
public final class DynaliteExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    /** The reason is printed once per test JVM, not once per class. */
    private static final AtomicBoolean REASON_PRINTED = new AtomicBoolean();

    private Dynalite dynalite;
    private String skipped;

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            dynalite = Dynalite.startOrSkip();
        } catch (TestAbortedException e) {
            skipped = e.getMessage();
            if (REASON_PRINTED.compareAndSet(false, true)) {
                System.err.println(skipped);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        assumeTrue(dynalite != null, skipped);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (dynalite != null) {
            dynalite.close();
            dynalite = null;
        }
    }

    /**
     * Returns the running dynalite; call it from tests and {@code @BeforeEach} methods, which run
     * only when it is running.
     *
     * @return the dynalite
     */
    public Dynalite dynalite() {
        if (dynalite == null) {
            throw new IllegalStateException("dynalite is not running: " + skipped);
        }
        return dynalite;
    }
}
