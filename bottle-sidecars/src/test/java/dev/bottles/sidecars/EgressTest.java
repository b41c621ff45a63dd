package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.ManifestException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.manifest.RouteRole;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EgressTest {
    @TempDir
    Path dir;

    private static BottleDefinition bottle() {
        return BottleDefinition.builder("dev")
                .route(EgressRoute.to("api.anthropic.com")
                        .withRole(RouteRole.CLAUDE_CODE_OAUTH)
                        .withAuth(RouteAuth.bearer("CLAUDE_BOTTLE_OAUTH_TOKEN")))
                .route(EgressRoute.to("api.github.com").withPaths("/repos/me/").withAuth(RouteAuth.token("GH_TOKEN")))
                .route(EgressRoute.to("registry.npmjs.org"))
                .build();
    }

    @Test
    void routesRoundTripThroughTheFileFormat() {
        EgressPlan plan = new Egress(Fixtures.CLOCK)
                .prepare(bottle(), "x-1", dir, Map.of("CLAUDE_BOTTLE_OAUTH_TOKEN", "t1", "GH_TOKEN", "t2"));
        EgressConfig read = EgressConfig.read(plan.routesFile());
        assertEquals(plan.config(), read);
        assertEquals(bottle().routes(), read.routes());
        assertEquals(List.of("CLAUDE_BOTTLE_OAUTH_TOKEN", "GH_TOKEN"), plan.tokenEnv());
        assertEquals(Map.of("CLAUDE_CODE_OAUTH_TOKEN", "egress-placeholder"), plan.agentPlaceholders());
        assertFalse(read.defaultHosts().contains("api.anthropic.com"), "a route wins over a default host");
    }

    @Test
    void routeLookupIgnoresCaseAndTreatsDefaultsAsPlainRoutes() {
        EgressConfig c = EgressConfig.forBottle(bottle());
        assertEquals(Optional.of("api.github.com"), c.route("API.GitHub.com").map(EgressRoute::host));
        assertEquals(Optional.of(EgressRoute.to("sentry.io")), c.route("sentry.io"));
        assertEquals(Optional.empty(), c.route("evil.example"));
        assertEquals(9, c.allowedHosts().size(), "7 defaults, one overridden by a route, plus 3 routes");
    }

    @Test
    void anUnsetTokenIsRefusedNamingTheVariableOnly() {
        ManifestException e = assertThrows(
                ManifestException.class,
                () -> new Egress(Fixtures.CLOCK)
                        .prepare(bottle(), "x-1", dir, Map.of("CLAUDE_BOTTLE_OAUTH_TOKEN", "sk-secret-value")));
        assertEquals(Optional.of("egress.routes[1].auth.token_ref"), e.field());
        assertTrue(e.getMessage().contains("host variable GH_TOKEN, which is not set"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-secret-value"));
    }

    @Test
    void aTokenInAVariableTheBundleSetsIsRefused() {
        BottleDefinition b = BottleDefinition.builder("dev")
                .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer("LD_PRELOAD")))
                .build();
        ManifestException e = assertThrows(
                ManifestException.class,
                () -> new Egress(Fixtures.CLOCK).prepare(b, "x-1", dir, Map.of("LD_PRELOAD", "x")));
        assertTrue(e.getMessage().contains("a variable the sidecar bundle sets itself"), e.getMessage());
        assertTrue(e.fix().contains("API_EXAMPLE_COM_TOKEN"), e.fix());
        assertFalse(Egress.reserved("CLAUDE_BOTTLE_OAUTH_TOKEN"), "the original's conventional token_ref stays usable");
        assertTrue(Egress.reserved("EGRESS_UPSTREAM_PROXY"));
    }

    @Test
    void noPlaceholderWithoutAnOauthRoute() {
        BottleDefinition b = BottleDefinition.builder("dev")
                .route(EgressRoute.to("github.com"))
                .build();
        EgressPlan plan = new Egress(Fixtures.CLOCK).prepare(b, "x-1", dir, Map.of());
        assertEquals(Map.of(), plan.agentPlaceholders());
        assertEquals(Egress.TELEMETRY_OFF, plan.agentDefaults());
    }

    @Test
    void malformedRouteFilesAreRefusedWithTheirSource() {
        BottleException unknown = assertThrows(
                BottleException.class,
                () -> EgressConfig.parse("version: 1\nroutes:\n- host: a.example\n  paths: [/x]\n", "routes.yaml"));
        assertTrue(
                unknown.getMessage().startsWith("routes.yaml: routes[0]: unknown key 'paths'"), unknown.getMessage());
        assertThrows(BottleException.class, () -> EgressConfig.parse("version: 2\n", "routes.yaml"));
        assertThrows(BottleException.class, () -> EgressConfig.parse("- a\n", "routes.yaml"));
        BottleException badHost = assertThrows(
                BottleException.class, () -> EgressConfig.parse("version: 1\nroutes:\n- host: 'a b'\n", "routes.yaml"));
        assertTrue(badHost.getMessage().contains("is not a host name"), badHost.getMessage());
    }

    @Test
    void decisionsFollowHostsPathsAndCredentials() {
        EgressConfig c = EgressConfig.forBottle(bottle());
        EgressDecision evil = c.decide(URI.create("https://evil.example/x"));
        assertFalse(evil.allowed());
        assertTrue(evil.reason().startsWith("blocked: host evil.example is not on this bottle's allowlist"));

        EgressDecision inside = c.decide(URI.create("https://API.github.com/repos/me/app"));
        assertTrue(inside.allowed() && inside.injectsCredential(), inside.reason());
        assertEquals("allowed; egress injects the token token from GH_TOKEN", inside.reason());

        EgressDecision outside = c.decide("api.github.com", "/repos/someone-else/app");
        assertFalse(outside.allowed());
        assertTrue(outside.reason().contains("outside the route's path_allowlist [/repos/me/]"), outside.reason());
        assertTrue(c.decide("api.github.com", null).allowed(), "a CONNECT is decided by host; paths after TLS");

        EgressDecision plain = c.decide("sentry.io.", "/");
        assertTrue(plain.allowed() && !plain.injectsCredential());
        assertFalse(c.decide("93.184.216.34", "/").allowed(), "an IP literal is allowed only when listed");
    }

    @Test
    void tlsAndCarriesSurviveTheFileAndTheCanonicalTargetIsDecided() {
        EgressConfig c = new EgressConfig(
                List.of(),
                List.of(
                        EgressRoute.to("pinned.example.com").passthrough(),
                        EgressRoute.to("api.github.com")
                                .carrying("GITHUB_TOKEN")
                                .withPaths("/repos/me/")));
        EgressConfig back = EgressConfig.parse(c.render("x-1"), "routes.yaml");
        assertEquals(c, back);
        assertFalse(back.route("pinned.example.com").orElseThrow().inspected());
        assertEquals(
                List.of("GITHUB_TOKEN"),
                back.route("api.github.com").orElseThrow().carries());
        EgressDecision d = back.decide("api.github.com", "/repos/me/./x/../app?ref=%2F");
        assertTrue(d.allowed(), d.reason());
        assertEquals("/repos/me/app?ref=%2F", d.target().originForm());
        EgressDecision walk = back.decide("api.github.com", "/repos/me/..%2f..%2fother");
        assertFalse(walk.allowed());
        assertTrue(walk.reason().startsWith("blocked: request path holds an encoded /"), walk.reason());
        assertEquals(
                List.of("pinned.example.com"),
                new EgressConfig(List.of(), c.routes())
                        .routes().stream()
                                .filter(r -> !r.inspected())
                                .map(EgressRoute::host)
                                .toList());
    }

    @Test
    void extraAnchorsAreCopiedForEgressAndAFileWithoutCertificatesIsRefused() throws Exception {
        Path pem = dir.resolve("corp-ca.pem");
        Files.writeString(pem, CertificateAuthority.mint("corp", Fixtures.CLOCK).certificatePem());
        Path out = dir.resolve("egress");
        Files.createDirectories(out);
        Map<String, String> env = Map.of("CLAUDE_BOTTLE_OAUTH_TOKEN", "t1", "GH_TOKEN", "t2");
        new Egress(Fixtures.CLOCK).prepare(bottle(), "x-1", out, env, pem);
        assertEquals(Files.readString(pem), Files.readString(out.resolve("extra-ca.pem")));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("extra-ca.pem"))));

        Files.writeString(pem, "hello");
        ManifestException e = assertThrows(
                ManifestException.class, () -> new Egress(Fixtures.CLOCK).prepare(bottle(), "x-1", out, env, pem));
        assertTrue(
                e.getMessage().contains(Egress.EXTRA_CA_SETTING)
                        && e.getMessage().contains("holds no PEM certificate"),
                e.getMessage());
    }
}
