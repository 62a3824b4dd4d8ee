/**
 * A rate-limited vendor API called tens of thousands of times: the start handler fans the calls
 * out over parallel parts, and the workers keep to the vendor's limit with the relay's pacing and a
 * concurrency cap; a call answered 429 is handed on with a back-off delay instead of being lost.
 * {@link io.lambdarelay.examples.vendor.VendorStart} fans out,
 * {@link io.lambdarelay.examples.vendor.VendorWorker} calls.
 */
package io.lambdarelay.examples.vendor;
