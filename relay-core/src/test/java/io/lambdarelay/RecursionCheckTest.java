package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The recursion config is the function's: an alias or version is dropped from the ARN it is read for. */
class RecursionCheckTest {

    @Test
    void unqualified_dropsAnAliasOrVersion_andKeepsAPlainArn() {
        String fn = "arn:aws:lambda:us-east-1:123456789012:function:worker";
        assertEquals(fn, RecursionCheck.unqualified(fn + ":live"));
        assertEquals(fn, RecursionCheck.unqualified(fn + ":7"));
        assertEquals(fn, RecursionCheck.unqualified(fn));
    }
}
