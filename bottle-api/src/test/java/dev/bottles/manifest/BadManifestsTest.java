package dev.bottles.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.ManifestException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One bad definition per file; each must fail naming its file, line, field and the problem. */
class BadManifestsTest {

    private static Path corpus(String kind, String name) throws URISyntaxException {
        return Path.of(BadManifestsTest.class
                .getResource("/bad/" + kind + "/" + name + ".md")
                .toURI());
    }

    @ParameterizedTest(name = "bottles/{0}.md")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            unknown-key        | 4 | supervize                      | did you mean 'supervise'? allowed keys: env, git, egress, supervise
            cred-proxy         | 2 | cred_proxy                     | 'cred_proxy' was replaced by 'egress.routes'
            runtime            | 2 | runtime                        | 'runtime' was removed
            duplicate-git-name | 6 | git[1].Name                    | duplicate git Name 'repo'
            empty-auth         | 5 | egress.routes[0].auth          | auth is empty
            two-oauth          | 7 | egress.routes[1].role          | more than one route has role claude_code_oauth
            literal-newline    | 4 | env.MULTI                      | contains a newline
            bad-upstream       | 4 | git[0].Upstream                | is not an ssh:// URL
            unknown-route-key  | 5 | egress.routes[0].path_alowlist | did you mean 'path_allowlist'?
            bad-scheme         | 6 | egress.routes[0].auth.scheme   | unknown auth scheme 'Basic'
            no-frontmatter     | 1 | -                              | has no YAML frontmatter
            unclosed           | 1 | -                              | not closed by a '---' line
            invalid-yaml       | 4 | -                              | invalid YAML
            python-tag         | 3 | -                              | Global tag is not allowed: tag:yaml.org,2002:python/object/apply:os.system
            supervise-not-bool | 2 | supervise                      | expected true or false
            env-null           | 3 | env.EMPTY                      | 'EMPTY' has no value
            duplicate-key      | 3 | supervise                      | the key 'supervise' appears twice
            relative-identity  | 5 | git[0].IdentityFile            | is not an absolute path
            unknown-role       | 5 | egress.routes[0].role          | unknown role 'admin'
            bad-host           | 4 | egress.routes[0].host          | is not a host name
            duplicate-host     | 5 | egress.routes[1].host          | duplicate route host 'api.example.com'
            missing-git-field  | 3 | git[0].Upstream                | 'Upstream' is missing
            env-not-mapping    | 2 | env                            | expected a mapping of keys, found a list
            bad-env-name       | 3 | env.1BAD                       | not a valid environment variable name
            alias-bomb         | 0 | -                              | invalid YAML
            frontmatter-list   | 2 | -                              | the frontmatter is a list, not a mapping
            tls-unknown        | 5 | egress.routes[0].tls           | unknown tls mode 'off'
            tls-passthrough-auth | 5 | egress.routes[0].tls         | a route with auth cannot be passthrough
            carries-unknown    | 7 | egress.routes[0].carries       | 'GITHUB_TOKEN' is not a forwarded variable
            path-not-canonical | 5 | egress.routes[0].path_allowlist | is not a canonical path
            """)
    void badBottleIsRejectedWithFileLineFieldAndFix(String name, int line, String field, String fragment)
            throws Exception {
        Path file = corpus("bottles", name);
        ManifestException e =
                assertThrows(ManifestException.class, () -> ManifestLoader.readBottle(file, Path.of("/home/u")));
        assertLocated(e, file, line, field, fragment);
    }

    @ParameterizedTest(name = "agents/{0}.md")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            no-bottle       | 1 | bottle    | agent 'no-bottle' names no bottle
            unknown-key     | 3 | descripton | did you mean 'description'?
            bad-skill       | 3 | skills[0] | is not a skill directory name
            skills-not-list | 3 | skills    | expected a list, found a mapping
            """)
    void badAgentIsRejectedWithFileLineFieldAndFix(String name, int line, String field, String fragment)
            throws Exception {
        Path file = corpus("agents", name);
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.readAgent(file));
        assertLocated(e, file, line, field, fragment);
    }

    @org.junit.jupiter.api.Test
    void everyProblemOfAFileIsReportedAtOnce() throws Exception {
        Path file = corpus("agents", "two-problems");
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.readAgent(file));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().startsWith("2 problems:"), e.getMessage());
        assertLocated(e.problems().get(0), file, 2, "bottel", "did you mean 'bottle'?");
        assertLocated(e.problems().get(1), file, 1, "bottle", "names no bottle");
    }

    static void assertLocated(ManifestException e, Path file, int line, String field, String fragment) {
        assertEquals(Optional.of(file), e.file(), e.getMessage());
        assertEquals(line == 0 ? OptionalInt.empty() : OptionalInt.of(line), e.line(), e.getMessage());
        assertEquals(Optional.ofNullable(field), e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file + (line > 0 ? ":" + line : "") + ": "), e.getMessage());
        assertTrue(
                e.getMessage().contains("Fix: ") && !e.fix().isBlank(),
                "every error says how to fix it: " + e.getMessage());
    }
}
