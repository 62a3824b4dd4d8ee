package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The BOM manages exactly the modules the build publishes, and each of them ships sources and javadoc. */
class PublishedModulesTest {
    private static final Path ROOT = Path.of("..");

    private static List<String> all(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theBom_managesEveryPublishedModule_andNoOther() throws IOException {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        Set<String> published = new TreeSet<>();
        for (String module : all(Pattern.compile("<module>([^<]+)</module>"), root)) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            boolean skipped = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (!skipped && !module.equals("relay-bom")) {
                published.add(module);
            }
        }
        String bom = Files.readString(ROOT.resolve("relay-bom/pom.xml"));
        assertFalse(bom.contains("<parent>"), "the BOM must not inherit the parent's managed versions");
        Set<String> managed = new TreeSet<>(all(Pattern.compile("<artifactId>(relay-[a-z]+)</artifactId>"), bom));
        managed.remove("relay-bom");
        assertEquals(published, managed);
        assertEquals(Set.of("relay-core", "relay-dynamodb", "relay-local"), published);
    }

    @Test
    void everyPublishedModule_attachesSourcesAndJavadoc() throws IOException {
        for (String module : List.of("relay-core", "relay-dynamodb", "relay-local")) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            assertTrue(pom.contains("<artifactId>maven-source-plugin</artifactId>"), module + ": no sources jar");
            assertTrue(pom.contains("<goal>jar</goal>") && pom.contains("maven-javadoc-plugin"),
                    module + ": no javadoc jar");
        }
    }
}
