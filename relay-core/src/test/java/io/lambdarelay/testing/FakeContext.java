package io.lambdarelay.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/** A Lambda Context whose remaining time the test moves by hand: no sleeps, no wall clock. */
public final class FakeContext implements Context {
    private long remainingMillis;
    private final String functionName;

    public FakeContext(String functionName, long remainingMillis) {
        this.functionName = functionName;
        this.remainingMillis = remainingMillis;
    }

    public void advance(long millis) {
        remainingMillis -= millis;
    }

    public void setRemaining(long millis) {
        remainingMillis = millis;
    }

    @Override public String getAwsRequestId() { return "req-1"; }
    @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
    @Override public String getLogStreamName() { return "stream"; }
    @Override public String getFunctionName() { return functionName; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return (int) remainingMillis; }
    @Override public int getMemoryLimitInMB() { return 512; }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override public void log(String message) { }
            @Override public void log(byte[] message) { log(new String(message, StandardCharsets.UTF_8)); }
        };
    }
}
