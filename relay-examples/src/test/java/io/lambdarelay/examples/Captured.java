package io.lambdarelay.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A print stream whose text a failed assertion can show. */
public final class Captured {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    public PrintStream out() {
        return out;
    }

    public String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
