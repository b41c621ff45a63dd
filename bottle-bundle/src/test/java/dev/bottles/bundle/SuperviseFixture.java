package dev.bottles.bundle;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.SuperviseConfig;
import dev.bottles.state.ProposalQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A supervise server on 127.0.0.1 for bottle {@code b-1}, with a live routes file (one credentialed
 * route, one default host) and an empty proposal queue under a test's directory.
 *
 * @param server the running server; close it
 * @param queue its proposal queue, where the test plays the operator
 */
record SuperviseFixture(SuperviseServer server, ProposalQueue queue) {
    /** The bottle's access credential every request must carry. */
    static final String ACCESS = "supervise-access-credential-0123456789abc";

    static SuperviseFixture start(Path dir, Duration deadline, BundleLog log) throws IOException {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(
                routes,
                new EgressConfig(
                                List.of("statsig.anthropic.com"),
                                List.of(EgressRoute.to("api.github.com")
                                        .withPaths("/repos/me/")
                                        .withAuth(RouteAuth.token("GH_TOKEN"))))
                        .render("b-1"));
        Path q = Files.createDirectories(dir.resolve("queue"));
        SuperviseConfig c = new SuperviseConfig("b-1", 0, "/mcp", SuperviseConfig.TOOLS, q.toString(), "/x", deadline);
        SuperviseServer server =
                SuperviseServer.start(c, new InetSocketAddress("127.0.0.1", 0), q, routes, ACCESS, log);
        return new SuperviseFixture(server, new ProposalQueue(q));
    }
}
