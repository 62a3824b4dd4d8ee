/**
 * Fault injection for tests of code that uses SQS and Lambda: {@link io.lambdarelay.local.faults.Faults}
 * puts failed and throttled calls, lost responses, failed batch entries, lagging counts and empty
 * short polls in front of SDK clients, and records each fault it injected
 * ({@link io.lambdarelay.local.faults.InjectedFault}). {@code LocalAws.faults()} is one in front of
 * the clients a {@code LocalAws} hands out.
 */
package io.lambdarelay.local.faults;
