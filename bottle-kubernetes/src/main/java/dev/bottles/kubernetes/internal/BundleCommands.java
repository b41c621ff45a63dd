package dev.bottles.kubernetes.internal;

import dev.bottles.sidecars.BundleImage;
import java.util.List;

/** Commands the SDK runs in a bundle pod, whose image has no shell: the bundle's own subcommands. */
final class BundleCommands {
    private BundleCommands() {}

    /**
     * Returns the command that replaces egress's live policy with the given number of bytes of stdin
     * ({@code bundle routes}, {@code dev.bottles.bundle.RoutesPush}); a small, quick JVM.
     *
     * @param length the policy's length
     * @return the argv
     */
    static List<String> pushRoutes(int length) {
        return List.of(
                "java",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx32m",
                "-jar",
                BundleImage.JAR_IN_IMAGE,
                "routes",
                Integer.toString(length));
    }
}
