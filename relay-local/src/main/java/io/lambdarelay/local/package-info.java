/**
 * Run and test relays on one machine with no AWS account: {@link io.lambdarelay.local.LocalAws}
 * starts an embedded SQS and a Lambda endpoint with event-source mappings;
 * {@link io.lambdarelay.local.LocalContext} emulates Lambda's {@code Context};
 * {@link io.lambdarelay.local.LocalAwsExtension} injects a {@code LocalAws} into JUnit 5 tests.
 */
package io.lambdarelay.local;
