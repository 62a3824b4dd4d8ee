/**
 * The README's 30-second example as code: {@link io.lambdarelay.examples.quickstart.StartImport}
 * starts a relay, {@link io.lambdarelay.examples.quickstart.ImportWorker} imports a file 500 rows
 * per unit through a {@link io.lambdarelay.examples.quickstart.RowImporter}. Each handler has the
 * no-argument constructor Lambda calls and one that takes a {@link io.lambdarelay.Relay}, which
 * tests use; {@code QuickstartDocsTest} checks that the README shows these classes as they are here.
 */
package io.lambdarelay.examples.quickstart;
