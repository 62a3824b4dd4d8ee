package io.lambdarelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies everything written to System.err (where slf4j-simple logs) into a buffer while it is
 * open, and still writes it through. Close it to put the original stream back.
 */
public final class CapturedStderr implements AutoCloseable {
    private final PrintStream original = System.err;
    private final Tee tee = new Tee(original);

    private CapturedStderr() {
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** {@return a capture that has started} */
    public static CapturedStderr start() {
        return new CapturedStderr();
    }

    /** {@return what was written so far} */
    public String text() {
        return tee.text();
    }

    @Override
    public void close() {
        System.setErr(original);
    }

    private static final class Tee extends OutputStream {
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private final PrintStream original;

        Tee(PrintStream original) {
            this.original = original;
        }

        @Override
        public synchronized void write(int b) {
            copy.write(b);
            original.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            original.write(b, off, len);
        }

        synchronized String text() {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }
}
