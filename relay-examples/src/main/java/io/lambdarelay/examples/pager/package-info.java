/**
 * The classic relay: page through a large SQL table with keyset pagination, aggregating each page
 * into running totals that travel in the relay packet, and write the totals when the last page is
 * done. {@link io.lambdarelay.examples.pager.PagerStart} sets the relay up,
 * {@link io.lambdarelay.examples.pager.PagerWorker} pages.
 */
package io.lambdarelay.examples.pager;
