package dev.bottles.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The design a reader is sent to lives in this repository: every {@code docs/…} file the code or a
 * document names exists, every relative link of the README and of {@code docs/} resolves, and
 * nothing points outside the repository; every jar names its module.
 */
class DocsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Pattern DOC_REF = Pattern.compile("docs/[A-Za-z0-9_./-]+\\.md");
    private static final Pattern MD_LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)
                            && !p.toString().contains("/target/")
                            && !p.toString().contains("/.git/"))
                    .toList();
        }
    }

    @Test
    void everyDocsFileTheCodeNamesExists() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path f : files(ROOT, ".java")) {
            boolean main = f.toString().contains("/src/main/");
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                // in tests, only what a reader is sent to (javadoc, ArchUnit reasons), not fixture file names
                String t = line.strip();
                if (!main && !(t.startsWith("*") || t.startsWith("/**") || t.contains(".because("))) {
                    continue;
                }
                Matcher m = DOC_REF.matcher(line);
                while (m.find()) {
                    if (!Files.isRegularFile(ROOT.resolve(m.group()))) {
                        missing.add(ROOT.relativize(f) + " names " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void readmeAndDocsLinkOnlyIntoTheRepositoryAndEveryLinkResolves() throws IOException {
        List<Path> pages = new ArrayList<>(files(ROOT.resolve("docs"), ".md"));
        pages.add(ROOT.resolve("README.md"));
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            String text = Files.readString(page, StandardCharsets.UTF_8);
            assertTrue(
                    !text.contains("../shared") && !text.contains("shared/docs"),
                    page + " points outside the repository");
            Matcher m = MD_LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // a web address
                }
                Path resolved = page.getParent().resolve(target).normalize();
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    broken.add(ROOT.relativize(page) + " links " + target);
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void everyModuleNamesItsJarsModule() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        assertTrue(
                parent.contains("<Automatic-Module-Name>${bottles.module}</Automatic-Module-Name>"),
                "the parent sets it");
        List<String> unnamed = new ArrayList<>();
        for (Path pom : files(ROOT, "pom.xml")) {
            String text = Files.readString(pom, StandardCharsets.UTF_8);
            if (pom.equals(ROOT.resolve("pom.xml")) || text.contains("<packaging>pom</packaging>")) {
                continue;
            }
            Matcher m = Pattern.compile("<bottles.module>([a-z.]+)</bottles.module>")
                    .matcher(text);
            if (!m.find()) {
                unnamed.add(ROOT.relativize(pom).toString());
            }
        }
        assertEquals(List.of(), unnamed, "each jar module sets bottles.module");
    }
}
