package io.lambdarelay.testing;

import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * slf4j-simple with an MDC that keeps its values: slf4j-simple's own MDC is a no-op, so the tests
 * could not see what the worker puts there. Chosen by the {@code slf4j.provider} system property
 * that relay-core's surefire configuration sets; logging itself is slf4j-simple's, unchanged.
 */
public final class SimpleLoggingWithMdc extends SimpleServiceProvider {
    private final MDCAdapter mdc = new BasicMDCAdapter();

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }
}
