package io.lambdarelay;

import java.lang.reflect.InvocationTargetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A priming registered to run before a checkpoint (Lambda SnapStart's snapshot, or CRaC's), if
 * {@code org.crac} is on the classpath. {@code org.crac} is optional at run time: this class never
 * names it, and loads {@link CracPriming}, which does, by name and only once {@code org.crac} is
 * there. The registration is kept here, since checkpoint contexts hold their resources weakly.
 * Thread-safe.
 */
final class CheckpointHook {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointHook.class);
    private static final String CRAC_RESOURCE = "org.crac.Resource";
    private static final String CRAC_PRIMING = "io.lambdarelay.CracPriming";

    private Object registered;

    /**
     * Registers {@code prime} once; later calls register nothing more.
     *
     * @param context org.crac's global context for {@code null}; a test's otherwise
     * @return whether it is registered: {@code false} if {@code org.crac} is not on the classpath
     */
    synchronized boolean register(Runnable prime, Object context) {
        if (registered != null) {
            return true;
        }
        ClassLoader loader = CheckpointHook.class.getClassLoader();
        try {
            Class.forName(CRAC_RESOURCE, false, loader);
        } catch (ClassNotFoundException e) {
            LOG.debug("org.crac is not on the classpath: no priming before a checkpoint");
            return false;
        }
        try {
            registered = Class.forName(CRAC_PRIMING, true, loader).getDeclaredMethod("register", Runnable.class,
                    Object.class).invoke(null, prime, context);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException re ? re
                    : new IllegalStateException("org.crac refused the priming: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not load " + CRAC_PRIMING + " though org.crac is present", e);
        }
        return true;
    }
}
