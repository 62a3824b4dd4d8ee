package io.lambdarelay.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's start function and worker are this package's classes, and docs/guide.md's test is
 * {@link ImportWorkerTest}: each Markdown file has a {@code java} block that is the class as it
 * is in the repository, from its declaration (annotations included) to its end, indentation
 * aside. The package line, the imports and the class's javadoc are left out of the docs.
 */
class QuickstartDocsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path MAIN = Path.of("src/main/java/io/lambdarelay/examples/quickstart");
    private static final Path TEST = Path.of("src/test/java/io/lambdarelay/examples/quickstart");

    @Test
    void readme_showsStartImportAndImportWorker_asInTheRepository() throws IOException {
        assertShown(ROOT.resolve("README.md"), MAIN.resolve("StartImport.java"));
        assertShown(ROOT.resolve("README.md"), MAIN.resolve("ImportWorker.java"));
    }

    @Test
    void guide_showsImportWorkerTest_asInTheRepository() throws IOException {
        assertShown(ROOT.resolve("docs/guide.md"), TEST.resolve("ImportWorkerTest.java"));
    }

    private static void assertShown(Path markdown, Path source) throws IOException {
        String declared = declaration(Files.readString(source));
        List<String> blocks = javaBlocks(Files.readString(markdown));
        assertTrue(blocks.contains(declared), () -> ROOT.relativize(markdown) + " has no ```java block that is "
                + source.getFileName() + " as in " + source + " (from its declaration to its end, indentation aside)."
                + " Copy it from there, or change both:\n" + declared);
    }

    /** The source from the class's first annotation or its declaration to the end, without the common indentation. */
    static String declaration(String source) {
        List<String> lines = source.lines().toList();
        int start = -1;
        boolean inComment = false;
        for (int i = 0; i < lines.size() && start < 0; i++) {
            String line = lines.get(i).strip();
            if (inComment) {
                inComment = !line.endsWith("*/");
            } else if (line.startsWith("/*")) {
                inComment = !line.endsWith("*/");
            } else if (!line.isEmpty() && !line.startsWith("package ") && !line.startsWith("import ")) {
                start = i;
            }
        }
        if (start < 0) {
            throw new IllegalArgumentException("no class declaration found");
        }
        return normalised(lines.subList(start, lines.size()));
    }

    /** The contents of each {@code ```java} block, without the common indentation. */
    static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        List<String> block = null;
        for (String line : markdown.lines().toList()) {
            String fence = line.strip();
            if (block == null && fence.equals("```java")) {
                block = new ArrayList<>();
            } else if (block != null && fence.equals("```")) {
                blocks.add(normalised(block));
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        return blocks;
    }

    private static String normalised(List<String> lines) {
        return String.join("\n", lines).stripIndent().strip();
    }
}
