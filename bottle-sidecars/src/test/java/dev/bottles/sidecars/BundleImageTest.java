package dev.bottles.sidecars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleException;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.spi.ResolvedEnv;
import dev.bottles.spi.Subnet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a bundle image's daemon label does to the launch spec. */
class BundleImageTest {
    @TempDir
    Path tmp;

    private SidecarPlans plans(BottleDefinition b) {
        return SidecarPlans.prepare(Fixtures.request(tmp, b, Map.of(), ResolvedEnv.empty()), "", Fixtures.CLOCK);
    }

    @Test
    void anImageWithoutPipelockDropsItAndEgressGoesDirect() {
        BundleImage image =
                BundleImage.fromLabels("claude-bottle-sidecars:abc", Map.of(BundleImage.DAEMONS_LABEL, "egress"));
        BundleLaunchSpec spec = BundleLaunchSpec.of(
                plans(BottleDefinition.builder("dev").build()), "docker", "n", new Subnet(192, 168, 7), false, image);
        assertEquals("egress", spec.daemonsCsv());
        assertTrue(
                spec.environment().stream().noneMatch(e -> e.name().startsWith("EGRESS_UPSTREAM")),
                spec.environment().toString());
        assertTrue(spec.volumes().stream().noneMatch(m -> m.container().startsWith(PipelockProxy.DIR_IN_CONTAINER)));
        assertEquals(
                List.of("pipelock: not in bundle image claude-bottle-sidecars:abc; egress enforces the allowlist"
                        + " and dials upstreams directly (no DLP scanning)"),
                image.notes(
                        SidecarBundle.forBottle(BottleDefinition.builder("dev").build())));
    }

    @Test
    void anImageWithPipelockRunsItAsEgresssUpstream() {
        BundleImage image = BundleImage.fromLabels("mine:1", Map.of(BundleImage.DAEMONS_LABEL, "egress, pipelock"));
        BundleLaunchSpec spec = BundleLaunchSpec.of(
                plans(BottleDefinition.builder("dev").build()), "docker", "n", new Subnet(192, 168, 7), false, image);
        assertEquals("egress,pipelock", spec.daemonsCsv());
        assertTrue(spec.environment()
                .contains(BundleLaunchSpec.EnvEntry.of("EGRESS_UPSTREAM_PROXY", BundleLaunchSpec.UPSTREAM_PROXY)));
        assertEquals(
                List.of(),
                image.notes(
                        SidecarBundle.forBottle(BottleDefinition.builder("dev").build())));
    }

    @Test
    void anUnlabelledImageIsTakenToRunWhatItIsAsked() {
        BundleImage image = BundleImage.fromLabels("mine:2", Map.of());
        assertTrue(image.has(Daemon.GIT_GATE));
        BottleDefinition b = BottleDefinition.builder("dev").supervise(true).build();
        assertEquals(
                "egress,pipelock,supervise",
                image.effective(SidecarBundle.forBottle(b)).daemonsCsv());
    }

    @Test
    void aMissingAgentFacingDaemonIsAnErrorNamingTheImageAndTheFix() {
        BundleImage image =
                BundleImage.fromLabels("claude-bottle-sidecars:abc", Map.of(BundleImage.DAEMONS_LABEL, "egress"));
        BottleDefinition b = BottleDefinition.builder("dev").supervise(true).build();
        BottleException e = assertThrows(BottleException.class, () -> image.effective(SidecarBundle.forBottle(b)));
        assertTrue(
                e.getMessage().contains("bundle image claude-bottle-sidecars:abc has no supervise daemon"),
                e.getMessage());
        assertTrue(e.getMessage().contains(BundleLaunchSpec.IMAGE_SETTING), e.getMessage());
        assertFalse(image.has(Daemon.SUPERVISE));
    }

    @Test
    void anUnknownDaemonInTheLabelIsRefused() {
        BottleException e = assertThrows(
                BottleException.class,
                () -> BundleImage.fromLabels("x:1", Map.of(BundleImage.DAEMONS_LABEL, "egress,ftp")));
        assertTrue(
                e.getMessage().startsWith("image x:1: label dev.bottles.bundle.daemons: unknown sidecar daemon"),
                e.getMessage());
    }
}
