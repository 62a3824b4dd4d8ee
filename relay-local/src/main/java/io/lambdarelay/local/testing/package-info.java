/**
 * Helpers for tests of code that uses SQS and Lambda, the project's own and yours: an embedded SQS
 * server with a client that counts its calls ({@link io.lambdarelay.local.testing.SqsServer}), a
 * Lambda client that records every request ({@link io.lambdarelay.local.testing.RecordingLambda}),
 * a clock a test moves by hand ({@link io.lambdarelay.local.testing.MutableClock}, for
 * {@link io.lambdarelay.local.LocalContext} and the library's {@code Clock}s), a poll with a
 * deadline ({@link io.lambdarelay.local.testing.Await}), and an endpoint that answers any call and
 * records which HTTP client sent it, for clients built from SDK defaults
 * ({@link io.lambdarelay.local.testing.StubEndpoint}).
 */
package io.lambdarelay.local.testing;
