/**
 * Example relay jobs, each a start handler, a worker and a SAM template: {@code pager} pages
 * through a SQL table in one relayed chain, {@code vendor} fans calls to a rate-limited HTTP API
 * out over parallel parts. {@code local} runs both on {@code LocalAws}. {@code quickstart} holds
 * the README's start function and worker.
 */
package io.lambdarelay.examples;
