package io.lambdarelay.local.internal;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

/** Adapts the handler interfaces of {@code aws-lambda-java-core} to {@link FunctionHandler}. */
public final class Handlers {

    private Handlers() {
    }

    /**
     * A {@link RequestHandler} whose input the runtime deserializes from the JSON payload and whose
     * output it serializes back, as the Java runtime does.
     */
    public static <I, O> FunctionHandler typed(LambdaJson json, Class<I> inputType, RequestHandler<I, O> handler) {
        return (payload, context) -> {
            I input = json.mapper().readValue(payload, inputType);
            O output = handler.handleRequest(input, context);
            return json.mapper().writeValueAsBytes(output);
        };
    }

    /** A {@link RequestStreamHandler}: payload in, response bytes out, untouched. */
    public static FunctionHandler stream(RequestStreamHandler handler) {
        return (payload, context) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(payload), out, context);
            return out.toByteArray();
        };
    }
}
