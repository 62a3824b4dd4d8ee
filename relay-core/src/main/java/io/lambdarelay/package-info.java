/**
 * What a start function and a worker use: {@link io.lambdarelay.Relay} (set up, pass, read, tear
 * down), {@link io.lambdarelay.RelayPacket}, {@link io.lambdarelay.RelayWorker},
 * {@link io.lambdarelay.TimeBudget}, {@link io.lambdarelay.RelaySetup}, the results, the metrics
 * ({@link io.lambdarelay.RelayMetricsListener}, {@link io.lambdarelay.EmfMetricsListener}) and the
 * exceptions. The classes behind them (the provisioner, the sender, a worker's hop) are
 * package-private.
 */
package io.lambdarelay;
