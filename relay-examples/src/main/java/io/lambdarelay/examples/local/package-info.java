/**
 * Runs the examples on {@code LocalAws}: the README's main-job command
 * ({@link io.lambdarelay.examples.local.RunExamples}), the runs it and the tests share
 * ({@link io.lambdarelay.examples.local.PagerRun}, {@link io.lambdarelay.examples.local.VendorRun}),
 * and a local rate-limited vendor API ({@link io.lambdarelay.examples.local.LocalVendorApi}).
 */
package io.lambdarelay.examples.local;
