/**
 * Implementation of the local AWS emulation; not a public API, may change in any release.
 */
package io.lambdarelay.local.internal;
