package io.lambdarelay.examples;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Lambda's managed Java runtimes, their status and deprecation dates, and the runtime this project's
 * SAM templates and documentation use ({@link #DEFAULT}). This is the one list to change when Lambda's
 * schedule moves: {@code SamTemplateTest} checks every {@code Runtime:} of the SAM templates and of the
 * YAML snippets in the Markdown files against it.
 *
 * <p>Dates are those of the Java runtimes table in the AWS Lambda Developer Guide, "Building Lambda
 * functions with Java" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-java.html); cfn-lint 1.51.0's
 * runtime lifecycle data has the same dates for these runtimes. A runtime without dates is listed by its
 * status only, because no date for it was confirmed there. The status is written down, not computed
 * from today's date, so that the check gives the same answer on every day; cfn-lint, which
 * {@code SamTemplateTest} runs where it is installed, compares the dates with today.
 *
 * <p>Immutable; safe to use from any thread.
 */
final class LambdaJavaRuntimes {
    /** The runtime the templates and the documentation use; the jars are built for release 17 and run on it. */
    static final String DEFAULT = "java21";

    /** Whether Lambda still supports a runtime. */
    enum Status {
        SUPPORTED,
        DEPRECATED
    }

    /**
     * One runtime: its identifier as written after {@code Runtime:}, its status, and the dates from which
     * it is deprecated, creating functions on it is blocked and updating them is blocked.
     */
    record JavaRuntime(String id, Status status, Optional<LocalDate> deprecated, Optional<LocalDate> createBlocked,
            Optional<LocalDate> updateBlocked) {

        static JavaRuntime of(String id, Status status, String deprecated, String createBlocked,
                String updateBlocked) {
            return new JavaRuntime(id, status, Optional.of(LocalDate.parse(deprecated)),
                    Optional.of(LocalDate.parse(createBlocked)), Optional.of(LocalDate.parse(updateBlocked)));
        }

        static JavaRuntime undated(String id, Status status) {
            return new JavaRuntime(id, status, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    static final List<JavaRuntime> ALL = List.of(
            // Amazon Linux 1: deprecated before the others; its dates are not in the table cited above.
            JavaRuntime.undated("java8", Status.DEPRECATED),
            // Amazon Linux 2
            JavaRuntime.of("java8.al2", Status.DEPRECATED, "2026-06-30", "2026-07-31", "2026-08-31"),
            JavaRuntime.of("java11", Status.DEPRECATED, "2026-06-30", "2026-07-31", "2026-08-31"),
            JavaRuntime.of("java17", Status.DEPRECATED, "2026-06-30", "2026-07-31", "2026-08-31"),
            // Amazon Linux 2023
            JavaRuntime.of("java21", Status.SUPPORTED, "2029-06-30", "2029-07-31", "2029-08-31"),
            JavaRuntime.of("java25", Status.SUPPORTED, "2029-06-30", "2029-07-31", "2029-08-31"));

    private LambdaJavaRuntimes() {
    }

    /** The runtime with this identifier, if the list has it. */
    static Optional<JavaRuntime> find(String id) {
        return ALL.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /**
     * What is wrong with using {@code id} as a function's runtime, or empty if it is a supported runtime
     * of this list. The message names the runtime and says what to use instead.
     */
    static Optional<String> problem(String id) {
        Optional<JavaRuntime> known = find(id);
        if (known.isEmpty()) {
            String ids = ALL.stream().map(JavaRuntime::id).collect(Collectors.joining(", "));
            return Optional.of("Runtime " + id + " is not one of Lambda's Java runtimes known here (" + ids
                    + "); use " + DEFAULT + ", or add the runtime to LambdaJavaRuntimes if Lambda supports it");
        }
        JavaRuntime r = known.get();
        if (r.status() == Status.SUPPORTED) {
            return Optional.empty();
        }
        List<String> dates = new ArrayList<>();
        r.deprecated().ifPresent(d -> dates.add("deprecated on " + d));
        r.createBlocked().ifPresent(d -> dates.add("creating functions blocked from " + d));
        r.updateBlocked().ifPresent(d -> dates.add("updating them blocked from " + d));
        String when = dates.isEmpty() ? "" : " (" + String.join(", ", dates) + ")";
        return Optional.of("Runtime " + id + " is deprecated by Lambda" + when + "; use " + DEFAULT);
    }
}
