/**
 * Removing relays that outlived their expiry or were left behind: {@link
 * io.lambdarelay.janitor.RelayJanitor} and a scheduled Lambda handler that runs it.
 */
package io.lambdarelay.janitor;
