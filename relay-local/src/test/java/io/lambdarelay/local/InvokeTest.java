package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The Invoke API (RequestResponse, Event, DryRun, LogType) through the SDK client, as AWS answers it. */
@ExtendWith(LocalAwsExtension.class)
class InvokeTest {

    /** The functions' input, deserialized from the JSON payload. */
    record Payload(String name, String id) {
    }

    private static final BlockingQueue<String> EVENTS_SEEN = new ArrayBlockingQueue<>(10);

    @BeforeAll
    static void registerFunctions(LocalAws aws) {
        aws.registerFunction("greeter", Duration.ofSeconds(2), Payload.class, (Payload in, Context ctx) -> {
            Map<String, Object> out = new HashMap<>();
            out.put("greeting", "hello " + in.name());
            out.put("function", ctx.getFunctionName());
            return out;
        });
        aws.registerFunction("failing", Duration.ofSeconds(2), Payload.class, (Payload in, Context ctx) -> {
            throw new IllegalArgumentException("no name given");
        });
        aws.registerFunction("sleepy", Duration.ofMillis(200), Payload.class, (Payload in, Context ctx) -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        aws.registerFunction("recorder", Duration.ofSeconds(2), Payload.class, (Payload in, Context ctx) -> {
            EVENTS_SEEN.add(in.id());
            return null;
        });
        aws.registerStreamFunction("echo", Duration.ofSeconds(2), (in, out, ctx) -> in.transferTo(out));
        aws.registerFunction("chatty", Duration.ofSeconds(2), Payload.class, (Payload in, Context ctx) -> {
            for (int i = 0; i < Integer.parseInt(in.id()); i++) {
                ctx.getLogger().log("line " + i + " of " + in.name());
            }
            return "done";
        });
    }

    private static String decodedLog(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    @Test
    void requestResponse_returnsTheHandlersResult(LambdaClient lambda) {
        InvokeResponse r = lambda.invoke(b -> b.functionName("greeter")
                .payload(SdkBytes.fromUtf8String("{\"name\":\"relay\"}")));
        assertEquals(200, r.statusCode());
        assertNull(r.functionError());
        assertEquals("$LATEST", r.executedVersion());
        String payload = r.payload().asUtf8String();
        assertTrue(payload.contains("\"greeting\":\"hello relay\""), payload);
        assertTrue(payload.contains("\"function\":\"greeter\""), payload);
    }

    @Test
    void requestResponse_streamHandlerGetsTheRawPayload(LocalAws aws) {
        InvokeResponse r = aws.lambdaClient().invoke(b -> b.functionName(aws.lambdaClient()
                .getFunctionConfiguration(c -> c.functionName("echo")).functionArn())
                .payload(SdkBytes.fromUtf8String("[1,2,3]")));
        assertEquals("[1,2,3]", r.payload().asString(StandardCharsets.UTF_8));
    }

    @Test
    void requestResponse_functionError_isReportedAsAwsDoes(LocalAws aws) {
        long before = aws.stats().functionErrors();
        InvokeResponse r = aws.lambdaClient().invoke(b -> b.functionName("failing")
                .payload(SdkBytes.fromUtf8String("{}")));
        assertEquals(200, r.statusCode());
        assertEquals("Unhandled", r.functionError());
        String payload = r.payload().asUtf8String();
        assertTrue(payload.contains("\"errorMessage\":\"no name given\""), payload);
        assertTrue(payload.contains("\"errorType\":\"java.lang.IllegalArgumentException\""), payload);
        assertEquals(before + 1, aws.stats().functionErrors());
    }

    @Test
    void requestResponse_timeout_isAnUnhandledFunctionError(LocalAws aws) {
        long before = aws.stats().timeouts();
        InvokeResponse r = aws.lambdaClient().invoke(b -> b.functionName("sleepy"));
        assertEquals("Unhandled", r.functionError());
        assertTrue(r.payload().asUtf8String().contains("Task timed out after 0.20 seconds"),
                r.payload().asUtf8String());
        assertEquals(before + 1, aws.stats().timeouts());
    }

    @Test
    void event_returns202AndRunsTheFunctionAsynchronously(LocalAws aws) throws InterruptedException {
        InvokeResponse r = aws.lambdaClient().invoke(b -> b.functionName("recorder")
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"id\":\"evt-1\"}")));
        assertEquals(202, r.statusCode());
        assertEquals("evt-1", EVENTS_SEEN.poll(10, TimeUnit.SECONDS));
        aws.awaitIdle(Duration.ofSeconds(5));
    }

    @Test
    void event_andDryRun_answerWithTheStatusOnly_noExecutedVersion(LambdaClient lambda) {
        InvokeResponse event = lambda.invoke(b -> b.functionName("recorder").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"id\":\"evt-2\"}")));
        InvokeResponse dryRun = lambda.invoke(b -> b.functionName("greeter").invocationType(InvocationType.DRY_RUN));

        assertEquals(202, event.statusCode());
        assertNull(event.executedVersion());
        assertNull(event.logResult());
        assertEquals(204, dryRun.statusCode());
        assertNull(dryRun.executedVersion());
        assertNull(dryRun.logResult());
    }

    @Test
    void logTypeTail_returnsTheInvocationsLogBase64_startEndReportAndWhatTheFunctionLogged(LambdaClient lambda) {
        InvokeResponse r = lambda.invoke(b -> b.functionName("chatty").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{\"name\":\"tail\",\"id\":\"3\"}")));

        String log = decodedLog(r);
        String[] lines = log.split("\n");
        assertTrue(lines[0].matches("START RequestId: [0-9a-f-]{36} Version: \\$LATEST"), lines[0]);
        assertEquals("line 0 of tail", lines[1]);
        assertEquals("line 2 of tail", lines[3]);
        assertTrue(lines[4].startsWith("END RequestId: "), lines[4]);
        assertTrue(lines[5].matches("REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: "
                + "[0-9]+ ms\tMemory Size: 512 MB"), lines[5]);
        assertEquals(6, lines.length, log);
    }

    @Test
    void logTypeTail_keepsOnlyTheLast4KB_endingWithTheReport(LambdaClient lambda) {
        InvokeResponse r = lambda.invoke(b -> b.functionName("chatty").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{\"name\":\"a long job\",\"id\":\"500\"}")));

        byte[] tail = Base64.getDecoder().decode(r.logResult());
        assertTrue(tail.length <= 4096 && tail.length > 4000, "tail of " + tail.length + " bytes");
        String log = new String(tail, StandardCharsets.UTF_8);
        assertFalse(log.contains("START RequestId"), "the start has scrolled out of the last 4 KB");
        assertTrue(log.contains("line 499 of a long job\nEND RequestId: "), log);
        assertTrue(log.contains("REPORT RequestId: "), log);
    }

    @Test
    void logTypeNone_orAbsent_returnsNoLog_andAnUnknownLogTypeIsRefused(LambdaClient lambda) {
        assertNull(lambda.invoke(b -> b.functionName("greeter").logType(LogType.NONE)).logResult());
        assertNull(lambda.invoke(b -> b.functionName("greeter")).logResult());
        assertThrows(InvalidParameterValueException.class,
                () -> lambda.invoke(b -> b.functionName("greeter").logType("Everything")));
    }

    @Test
    void invoke_unknownFunctionOrInvalidJson_areTypedErrors(LambdaClient lambda) {
        assertThrows(ResourceNotFoundException.class, () -> lambda.invoke(b -> b.functionName("nobody")));
        assertThrows(InvalidRequestContentException.class, () -> lambda.invoke(b -> b.functionName("greeter")
                .payload(SdkBytes.fromUtf8String("{oops"))));
    }
}
