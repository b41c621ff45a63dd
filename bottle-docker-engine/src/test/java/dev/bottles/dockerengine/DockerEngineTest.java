package dev.bottles.dockerengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bottles.BottleException;
import dev.bottles.spi.Subnet;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request shapes and idempotent paths at the docker-java seam, with no engine. */
class DockerEngineTest {
    private final RecordingTransport http = new RecordingTransport();
    private final DockerEngine engine = DockerEngine.over(http, "1.41");

    @Test
    void internalNetworksPinTheSubnetKeepLowAddressesAndGiveTheHostNone() {
        http.on("POST", "/networks/create", 201, "{\"Id\":\"net1\"}");
        assertEquals(
                "net1",
                engine.createNetwork(
                        "claude-bottle-net-x-1",
                        new Subnet(192, 168, 42),
                        true,
                        Map.of("dev.bottles.identity", "x-1")));
        RecordingTransport.Call c = http.calls("POST", "/networks/create").get(0);
        JsonNode b = c.json();
        assertEquals("claude-bottle-net-x-1", b.path("Name").asText());
        assertTrue(b.path("CheckDuplicate").asBoolean(), "without it the engine creates duplicates silently");
        assertTrue(b.path("Internal").asBoolean());
        assertEquals("true", b.path("Options").path(DockerEngine.INHIBIT_IPV4).asText());
        JsonNode ipam = b.path("IPAM").path("Config").get(0);
        assertEquals("192.168.42.0/24", ipam.path("Subnet").asText());
        assertEquals("192.168.42.1", ipam.path("Gateway").asText());
        assertEquals("192.168.42.128/25", ipam.path("IPRange").asText(), "the pinned .2 is never handed out");
        assertEquals("x-1", b.path("Labels").path("dev.bottles.identity").asText());
        assertTrue(http.calls.get(0).path().startsWith("/networks/create"), "API version pinned in the path");
    }

    @Test
    void anOutboundNetworkIsNotInternalAndKeepsItsHostAddress() {
        http.on("POST", "/networks/create", 201, "{\"Id\":\"net2\"}");
        engine.createNetwork("claude-bottle-egress-x-1", new Subnet(10, 213, 9), false, Map.of());
        JsonNode b = http.calls("POST", "/networks/create").get(0).json();
        assertFalse(b.path("Internal").asBoolean());
        assertTrue(b.path("Options").isMissingNode() || b.path("Options").isEmpty());
    }

    @Test
    void anExistingNetworkIsSuccessAndAnOverlapIsItsOwnFailure() {
        http.on("POST", "/networks/create", 409, "{\"message\":\"network with name n already exists\"}")
                .on("GET", "/networks/n", 200, "{\"Id\":\"existing\",\"Name\":\"n\"}");
        assertEquals("existing", engine.createNetwork("n", new Subnet(192, 168, 3), true, Map.of()));
        http.on(
                "POST",
                "/networks/create",
                403,
                "{\"message\":\"Pool overlaps with other one on this address space\"}");
        assertThrows(
                DockerEngine.PoolOverlapException.class,
                () -> engine.createNetwork("m", new Subnet(192, 168, 4), true, Map.of()));
        http.on("POST", "/networks/create", 500, "{\"message\":\"disk full\"}");
        BottleException e = assertThrows(
                BottleException.class, () -> engine.createNetwork("o", new Subnet(192, 168, 5), true, Map.of()));
        assertTrue(e.getMessage().startsWith("cannot create network o (192.168.5.0/24): "), e.getMessage());
    }

    @Test
    void removingWhatIsMissingIsSuccess() {
        http.on("DELETE", "/containers/", 404, "{\"message\":\"No such container: c\"}")
                .on("DELETE", "/networks/", 404, "{\"message\":\"network n not found\"}");
        assertFalse(engine.removeContainer("c"));
        assertFalse(engine.removeNetwork("n"));
        RecordingTransport.Call rm = http.calls("DELETE", "/containers/").get(0);
        assertTrue(rm.path().contains("force=true") && rm.path().contains("v=true"), rm.path());
        int[] calls = {0};
        http.on(
                "DELETE",
                "/networks/",
                c -> ++calls[0] < 3
                        ? new RecordingTransport.Answer(403, "{\"message\":\"network n has active endpoints\"}")
                        : new RecordingTransport.Answer(204, ""));
        assertTrue(engine.removeNetwork("n"), "endpoints detach asynchronously: retried until removed");
        assertEquals(3, calls[0]);
        http.on(
                "DELETE",
                "/networks/",
                403,
                "{\"message\":\"error while removing network: network n has active endpoints\"}");
        BottleException e = assertThrows(BottleException.class, () -> engine.removeNetwork("n"));
        assertTrue(e.getMessage().contains("has active endpoints"), e.getMessage());
    }

    @Test
    void hardenedContainersDropEveryCapabilityAndPinTheirAddress() {
        http.on("POST", "/containers/create", 201, "{\"Id\":\"c1\"}");
        engine.createContainer(ContainerSpec.builder("claude-bottle-x-1", "img:1", "claude-bottle-net-x-1")
                .cmd(List.of("sleep", "infinity"))
                .env(List.of("A=b"))
                .labels(Map.of("dev.bottles.role", "agent"))
                .runtime("runsc")
                .hardening(ContainerSpec.Hardening.agent(ContainerSpec.PIDS_LIMIT, 0))
                .build());
        RecordingTransport.Call c = http.calls("POST", "/containers/create").get(0);
        assertTrue(c.path().contains("name=claude-bottle-x-1"), c.path());
        JsonNode h = c.json().path("HostConfig");
        assertEquals("ALL", h.path("CapDrop").get(0).asText());
        assertEquals("no-new-privileges", h.path("SecurityOpt").get(0).asText());
        assertEquals(ContainerSpec.PIDS_LIMIT, h.path("PidsLimit").asLong());
        assertEquals("runsc", h.path("Runtime").asText());
        assertEquals("claude-bottle-net-x-1", h.path("NetworkMode").asText());
        assertEquals("A=b", c.json().path("Env").get(0).asText());

        engine.createContainer(
                ContainerSpec.builder("claude-bottle-sidecars-x-1", "bundle:1", "claude-bottle-bundle-x-1")
                        .ipv4("192.168.42.2")
                        .publishedPorts(List.of(8080, 9100))
                        .binds(List.of("/state/egress:/etc/egress:ro"))
                        .build());
        JsonNode b = http.calls("POST", "/containers/create").get(1).json();
        assertEquals(
                "192.168.42.2",
                b.path("NetworkingConfig")
                        .path("EndpointsConfig")
                        .path("claude-bottle-bundle-x-1")
                        .path("IPAMConfig")
                        .path("IPv4Address")
                        .asText());
        assertEquals(
                "127.0.0.1",
                b.path("HostConfig")
                        .path("PortBindings")
                        .path("8080/tcp")
                        .get(0)
                        .path("HostIp")
                        .asText());
        assertEquals(
                "",
                b.path("HostConfig")
                        .path("PortBindings")
                        .path("9100/tcp")
                        .get(0)
                        .path("HostPort")
                        .asText(""),
                "a random host port");
        assertEquals(
                "/state/egress:/etc/egress:ro",
                b.path("HostConfig").path("Binds").get(0).asText());
        assertFalse(b.path("HostConfig").has("CapDrop")
                && b.path("HostConfig").path("CapDrop").size() > 0);
    }

    @Test
    void aTakenNameAndAMissingImageSayWhatToDo() {
        http.on("POST", "/containers/create", 409, "{\"message\":\"Conflict. The container name is already in use\"}");
        assertTrue(assertThrows(BottleException.class, () -> engine.createContainer(spec("taken")))
                .getMessage()
                .startsWith("container name taken is taken"));
        http.on("POST", "/containers/create", 404, "{\"message\":\"No such image: img:1\"}");
        assertTrue(assertThrows(BottleException.class, () -> engine.createContainer(spec("x")))
                .getMessage()
                .contains("build or pull it first"));
    }

    @Test
    void anUnreachableEngineSaysWhereAndWhatToDo() {
        DockerEngine e = DockerEngine.over(
                new RecordingTransport() {
                    @Override
                    public Response execute(Request request) {
                        throw new RuntimeException(new ConnectException("Connection refused"));
                    }
                },
                null);
        BottleException ex = assertThrows(BottleException.class, e::info);
        assertTrue(
                ex.getMessage().startsWith("Docker engine not reachable at test transport (Connection refused)"),
                ex.getMessage());
        assertTrue(ex.getMessage().contains("DOCKER_HOST"));
    }

    private static ContainerSpec spec(String name) {
        return ContainerSpec.builder(name, "img:1", "none").build();
    }
}
