package io.lambdarelay.local;

import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A JUnit 5 extension that gives tests a started {@link LocalAws}: declare a parameter of type
 * {@code LocalAws} (or {@code SqsClient} / {@code LambdaClient}, its clients) in a test, a
 * lifecycle method or the constructor. One {@code LocalAws} is started per test class, on first
 * use, and closed after the class.
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
 * <p>Thread-safe; {@code LocalAws} itself is thread-safe, so parallel tests of a class share it.
 */
public final class LocalAwsExtension implements ParameterResolver {

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
        return type == LocalAws.class || type == SqsClient.class || type == LambdaClient.class;
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
        return aws;
    }

    private LocalAws localAws(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE)
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
