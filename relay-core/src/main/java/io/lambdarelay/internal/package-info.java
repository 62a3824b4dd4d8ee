/**
 * Not API: the packet's JSON codec, queue look-ups, the tear-down sequence and the default SDK
 * clients that {@code io.lambdarelay} and its janitor share. Public only because those packages call it; it may
 * change in any release, and the jar's module name ({@code io.lambdarelay.core}) is meant to be
 * read with only the API packages in mind.
 */
package io.lambdarelay.internal;
