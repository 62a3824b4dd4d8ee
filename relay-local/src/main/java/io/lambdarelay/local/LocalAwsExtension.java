package io.lambdarelay.local;

import java.util.Objects;
import java.util.function.Supplier;
import io.lambdarelay.local.faults.Faults;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A JUnit 5 extension that gives tests a started {@link LocalAws}: declare a parameter of type
 * {@code LocalAws} (or {@code SqsClient} / {@code LambdaClient}, its clients, or {@code Faults},
 * its {@linkplain LocalAws#faults() fault injection}) in a test, a lifecycle method or the
 * constructor. One {@code LocalAws} is started per test class, on first use, and closed after the
 * class. The fault rules a test started end after it ({@link Faults#clear()}), so they do not act
 * on the next test of the class; what was injected stays recorded.
 * <pre>{@code
 * @ExtendWith(LocalAwsExtension.class)
 * class WorkerTest {
 *     @Test
 *     void relays(LocalAws aws) { ... }
 * }
 * }</pre>
 * For other settings register it with a factory:
 * {@code @RegisterExtension static LocalAwsExtension aws = new LocalAwsExtension(() ->
 * LocalAws.builder().region("eu-west-1").start());}
 *
 * <p>Thread-safe; {@code LocalAws} itself is thread-safe, so parallel tests of a class share it
 * (but not its fault rules: the first test to end clears them, so run tests that inject faults
 * one at a time).
 */
public final class LocalAwsExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LocalAwsExtension.class);

    private final Supplier<LocalAws> factory;

    /** Starts {@code LocalAws} with the default settings. */
    public LocalAwsExtension() {
        this(LocalAws::start);
    }

    /**
     * Starts {@code LocalAws} with {@code factory}.
     *
     * @param factory starts the {@code LocalAws} for a test class
     */
    public LocalAwsExtension(Supplier<LocalAws> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == LocalAws.class || type == SqsClient.class || type == LambdaClient.class
                || type == Faults.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        LocalAws aws = localAws(extensionContext);
        Class<?> type = parameterContext.getParameter().getType();
        if (type == SqsClient.class) {
            return aws.sqsClient();
        }
        if (type == LambdaClient.class) {
            return aws.lambdaClient();
        }
        if (type == Faults.class) {
            return aws.faults();
        }
        return aws;
    }

    /** Ends the fault rules the test started, if the class has a {@code LocalAws}. */
    @Override
    public void afterEach(ExtensionContext context) {
        Resource r = classContext(context).getStore(NAMESPACE).get(Resource.class, Resource.class);
        if (r != null) {
            r.aws.faults().clear();
        }
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext;
    }

    private LocalAws localAws(ExtensionContext context) {
        return classContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(Resource.class, k -> new Resource(factory.get()), Resource.class)
                .aws;
    }

    /** Closes the {@code LocalAws} when JUnit closes the test class's store. */
    private static final class Resource implements ExtensionContext.Store.CloseableResource {
        private final LocalAws aws;

        Resource(LocalAws aws) {
            this.aws = aws;
        }

        @Override
        public void close() {
            aws.close();
        }
    }
}
