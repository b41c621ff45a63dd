package dev.bottles.examples.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Runs {@code bottle} in-process with a home holding one agent, capturing everything it prints. */
final class CliFixture {
    /** What one run did. */
    record Run(int code, String out, String err, String attached) {}

    final Path home;
    final Path cwd;

    CliFixture(Path dir) throws Exception {
        home = dir.resolve("home");
        cwd = dir.resolve("work");
        Files.createDirectories(home.resolve("agents"));
        Files.createDirectories(home.resolve("bottles"));
        Files.createDirectories(cwd);
        Files.writeString(home.resolve("bottles/demo.md"), """
                ---
                env:
                  GIT_AUTHOR_NAME: Ada
                  API_TOKEN_NAME_ONLY: ${DEMO_HOST_VALUE}
                egress:
                  routes:
                    - host: api.example.test
                      path_allowlist: [/v1/]
                      auth: {scheme: Bearer, token_ref: DEMO_TOKEN}
                ---
                A demo bottle.
                """);
        Files.writeString(home.resolve("agents/demo.md"), """
                ---
                bottle: demo
                ---
                Be brief.
                """);
    }

    Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        ByteArrayOutputStream attached = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(attached, true, StandardCharsets.UTF_8));
            code = BottleCli.run(
                    args,
                    new Io(
                            new PrintWriter(out, true),
                            new PrintWriter(err, true),
                            new BufferedReader(new StringReader(stdin)),
                            Map.of(
                                    "DEMO_TOKEN",
                                    "demo-secret-value-1234",
                                    "DEMO_HOST_VALUE",
                                    "host-value-never-shown",
                                    "PATH",
                                    "/usr/bin:/bin"),
                            cwd));
        } finally {
            System.setOut(old);
        }
        return new Run(code, out.toString(), err.toString(), attached.toString(StandardCharsets.UTF_8));
    }
}
