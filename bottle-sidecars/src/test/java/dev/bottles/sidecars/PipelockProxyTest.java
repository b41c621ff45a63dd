package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class PipelockProxyTest {
    /** pipelock's top-level keys (pipelock's internal/config/schema.go); anything else is fatal to it. */
    private static final Set<String> TOP_KEYS = Set.of(
            "version",
            "mode",
            "enforce",
            "explain_blocks",
            "api_allowlist",
            "suppress",
            "fetch_proxy",
            "forward_proxy",
            "websocket_proxy",
            "dlp",
            "canary_tokens",
            "response_scanning",
            "mcp_input_scanning",
            "mcp_tool_scanning",
            "mcp_tool_policy",
            "git_protection",
            "logging",
            "session_profiling",
            "adaptive_enforcement",
            "mcp_session_binding",
            "request_body_scanning",
            "kill_switch",
            "sentry",
            "metrics_listen",
            "emit",
            "tool_chain_detection",
            "mcp_ws_listener",
            "tls_interception",
            "cross_request_detection",
            "reverse_proxy",
            "scan_api",
            "address_protection",
            "seed_phrase_detection",
            "rules",
            "file_sentry",
            "sandbox",
            "flight_recorder",
            "mcp_binary_integrity",
            "mcp_tool_provenance",
            "behavioral_baseline",
            "airlock",
            "browser_shield",
            "media_policy",
            "a2a_scanning",
            "taint",
            "mediation_envelope",
            "redaction",
            "agents",
            "default_agent_identity",
            "bind_default_agent_identity",
            "internal",
            "trusted_domains",
            "ssrf");

    private static final Map<String, Set<String>> NESTED = Map.of(
            "fetch_proxy", Set.of("listen"),
            "forward_proxy",
                    Set.of(
                            "enabled",
                            "max_tunnel_seconds",
                            "idle_timeout_seconds",
                            "sni_verification",
                            "redirect_websocket_hosts"),
            "tls_interception",
                    Set.of(
                            "enabled",
                            "ca_cert",
                            "ca_key",
                            "passthrough_domains",
                            "cert_ttl",
                            "cert_cache_size",
                            "max_response_bytes"),
            "request_body_scanning",
                    Set.of("enabled", "action", "max_body_bytes", "scan_headers", "header_mode", "sensitive_headers"),
            "logging", Set.of("format", "output", "file", "include_allowed", "include_blocked"));

    @TempDir
    Path dir;

    @Test
    void rendersOnlyKeysPipelockAccepts() throws Exception {
        BottleDefinition b = BottleDefinition.builder("dev")
                .route(EgressRoute.to("github.com"))
                .build();
        PipelockPlan plan = new PipelockProxy(Fixtures.CLOCK).prepare(b, "x-12345", dir);
        Map<String, Object> doc = new Yaml().load(Files.readString(plan.config()));
        for (String k : doc.keySet()) {
            assertTrue(TOP_KEYS.contains(k), "pipelock would reject top-level key " + k);
        }
        for (Map.Entry<String, Set<String>> e : NESTED.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> section = (Map<String, Object>) doc.get(e.getKey());
            assertTrue(
                    e.getValue().containsAll(section.keySet()), e.getKey() + " has unknown keys " + section.keySet());
        }
        assertEquals("strict", doc.get("mode"));
        assertEquals(Map.of("enabled", true, "action", "block"), doc.get("request_body_scanning"));
        assertEquals(
                List.of("api.anthropic.com"), ((Map<?, ?>) doc.get("tls_interception")).get("passthrough_domains"));
    }

    @Test
    void allowlistIsDefaultsThenRouteHostsLowerCasedWithoutRepeats() {
        BottleDefinition b = BottleDefinition.builder("dev")
                .route(EgressRoute.to("Registry.NPMjs.org"))
                .route(EgressRoute.to("api.anthropic.com"))
                .route(EgressRoute.to("github.com"))
                .build();
        List<String> list = PipelockProxy.allowlist(b);
        assertEquals(DefaultHosts.CLAUDE_CODE, list.subList(0, DefaultHosts.CLAUDE_CODE.size()));
        assertEquals(
                List.of("registry.npmjs.org", "github.com"),
                list.subList(DefaultHosts.CLAUDE_CODE.size(), list.size()));
    }

    @Test
    void theConfigPointsAtTheMintedCaInsideTheBundle() throws Exception {
        PipelockPlan plan = new PipelockProxy(Fixtures.CLOCK)
                .prepare(BottleDefinition.builder("dev").build(), "x-1", dir);
        Map<String, Object> doc = new Yaml().load(Files.readString(plan.config()));
        Map<?, ?> tls = (Map<?, ?>) doc.get("tls_interception");
        assertEquals(PipelockProxy.CA_CERT_IN_CONTAINER, tls.get("ca_cert"));
        assertEquals(PipelockProxy.CA_KEY_IN_CONTAINER, tls.get("ca_key"));
        assertTrue(Files.readString(plan.caCertificate()).startsWith("-----BEGIN CERTIFICATE-----"));
        assertEquals("0.0.0.0:8888", ((Map<?, ?>) doc.get("fetch_proxy")).get("listen"));
    }
}
