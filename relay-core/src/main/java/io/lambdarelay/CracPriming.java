package io.lambdarelay;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code org.crac} resource that primes before a checkpoint. The only class that names
 * {@code org.crac}, which is optional at run time: {@link CheckpointHook} loads it by name, and only
 * after finding {@code org.crac} on the classpath, so no other class links against it.
 */
final class CracPriming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(CracPriming.class);
    private final Runnable prime;

    private CracPriming(Runnable prime) {
        this.prime = prime;
    }

    /**
     * Registers a priming with a context: org.crac's global one for {@code null}, which Lambda
     * SnapStart and CRaC JVMs notify before a checkpoint; a test passes its own.
     *
     * @return the registered resource, which the caller must keep reachable: contexts hold
     *     resources weakly
     */
    static Object register(Runnable prime, Object context) {
        CracPriming resource = new CracPriming(prime);
        contextOf(context).register(resource);
        return resource;
    }

    // A context given here is a Context<Resource> (a test's); org.crac's types cannot say so through Object.
    @SuppressWarnings("unchecked")
    private static Context<Resource> contextOf(Object context) {
        return context == null ? Core.getGlobalContext() : (Context<Resource>) context;
    }

    /** Primes; a priming that fails is logged, and the snapshot is taken without it. */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            prime.run();
        } catch (RuntimeException e) {
            LOG.warn("priming before the checkpoint failed with {}; the snapshot is taken without it",
                    e.getClass().getName());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: the relay keeps no random or unique state, and primed no connection.
    }
}
