package io.lambdarelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The emulated Context counts down on an injected clock. */
class LocalContextTest {


    @Test
    void remainingTime_countsDownFromTheTimeoutOnTheClock() {
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        LocalContext ctx = LocalContext.builder().functionName("starter").timeout(Duration.ofSeconds(30))
                .clock(clock).build();
        assertEquals(30_000, ctx.getRemainingTimeInMillis());
        clock.advance(Duration.ofMillis(12_345));
        assertEquals(17_655, ctx.getRemainingTimeInMillis());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(0, ctx.getRemainingTimeInMillis(), "never negative");
    }

    @Test
    void defaults_lookLikeLambdas() {
        LocalContext ctx = LocalContext.of("starter", Duration.ofSeconds(3));
        assertEquals("starter", ctx.getFunctionName());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:starter", ctx.getInvokedFunctionArn());
        assertEquals("$LATEST", ctx.getFunctionVersion());
        assertEquals("/aws/lambda/starter", ctx.getLogGroupName());
        assertEquals(512, ctx.getMemoryLimitInMB());
        assertEquals(36, ctx.getAwsRequestId().length());
        assertTrue(ctx.getRemainingTimeInMillis() <= 3000);
        ctx.getLogger().log("logged through slf4j");
    }

    @Test
    void build_rejectsBadValues_namingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalContext.builder().functionName("f").timeout(Duration.ZERO).build());
        assertEquals("timeout must be positive, was PT0S", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LocalContext.builder().build());
        assertEquals("functionName is required, was 'null'", e.getMessage());
    }
}
