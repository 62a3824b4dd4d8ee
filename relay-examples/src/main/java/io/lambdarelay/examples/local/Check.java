package io.lambdarelay.examples.local;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One rule of a run's verdict: its name, whether it held, and the numbers behind it.
 *
 * @param rule what must hold, e.g. "every call answered exactly once"
 * @param passed whether it held
 * @param numbers the figures that decided it, shown whatever the outcome
 */
public record Check(String rule, boolean passed, String numbers) {

    /**
     * {@return whether every check passed}
     *
     * @param checks the checks of a run
     */
    public static boolean allPassed(List<Check> checks) {
        return checks.stream().allMatch(Check::passed);
    }

    /**
     * {@return the failed checks as {@code rule (numbers); rule (numbers)}, or an empty string}
     *
     * @param checks the checks of a run
     */
    public static String failures(List<Check> checks) {
        return checks.stream().filter(c -> !c.passed()).map(c -> c.rule() + " (" + c.numbers() + ")")
                .collect(Collectors.joining("; "));
    }

    /** {@return the check as a summary line: {@code PASSED rule: numbers}} */
    String line() {
        return (passed ? "PASSED " : "FAILED ") + rule + ": " + numbers;
    }
}
