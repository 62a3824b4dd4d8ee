package io.lambdarelay.local.internal;

/**
 * An error answered in Lambda's REST-JSON error shape: HTTP status, {@code x-amzn-ErrorType}
 * header and a JSON body with {@code Type} and {@code message}.
 */
public final class LambdaApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errorType;

    private LambdaApiException(int status, String errorType, String message) {
        super(message);
        this.status = status;
        this.errorType = errorType;
    }

    /** HTTP status of the error response. */
    public int status() {
        return status;
    }

    /** The error code the SDK maps to an exception class, e.g. {@code ResourceNotFoundException}. */
    public String errorType() {
        return errorType;
    }

    static LambdaApiException notFound(String message) {
        return new LambdaApiException(404, "ResourceNotFoundException", message);
    }

    static LambdaApiException invalidParameter(String message) {
        return new LambdaApiException(400, "InvalidParameterValueException", message);
    }

    static LambdaApiException conflict(String message) {
        return new LambdaApiException(409, "ResourceConflictException", message);
    }

    static LambdaApiException inUse(String message) {
        return new LambdaApiException(400, "ResourceInUseException", message);
    }

    static LambdaApiException invalidContent(String message) {
        return new LambdaApiException(400, "InvalidRequestContentException", message);
    }

    static LambdaApiException tooManyRequests(String message) {
        return new LambdaApiException(429, "TooManyRequestsException", message);
    }

    static LambdaApiException unknownOperation(String method, String path) {
        return new LambdaApiException(404, "UnknownOperationException",
                "the local Lambda endpoint does not implement " + method + " " + path);
    }
}
