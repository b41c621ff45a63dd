package dev.bottles.bundle.internal;

import dev.bottles.BottleException;
import dev.bottles.bundle.BundleLog;
import dev.bottles.sidecars.Egress;
import dev.bottles.sidecars.EgressConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live egress policy: {@code routes.yaml} as last read. {@link #check} re-reads the file when
 * its content changed; a file that no longer parses is logged and the old policy stays (fail safe:
 * never an empty or half policy). Open tunnels are unaffected; new decisions use the new policy.
 */
public final class Policy {
    private final Path file;
    private final BundleLog log;
    private final AtomicReference<EgressConfig> config = new AtomicReference<>();
    private String digest;

    /**
     * Reads the file.
     *
     * @param file the routes file
     * @param log where reloads are reported
     * @throws BottleException when the file is unreadable or malformed
     */
    public Policy(Path file, BundleLog log) {
        this.file = file;
        this.log = log;
        byte[] bytes = read();
        config.set(EgressConfig.parse(new String(bytes, StandardCharsets.UTF_8), file.toString()));
        digest = Egress.digest(bytes);
    }

    /**
     * Returns the current policy.
     *
     * @return the policy
     */
    public EgressConfig current() {
        return Objects.requireNonNull(config.get(), "the egress policy is loaded in the constructor");
    }

    /**
     * Re-reads the file if its content changed.
     *
     * @return true when a new policy took effect
     */
    public synchronized boolean check() {
        byte[] bytes;
        try {
            bytes = read();
        } catch (BottleException e) {
            log.event("egress", "routes-reload-failed", Map.of("file", file.toString(), "reason", e.getMessage()));
            return false;
        }
        String d = Egress.digest(bytes);
        if (d.equals(digest)) {
            return false;
        }
        try {
            EgressConfig c = EgressConfig.parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
            config.set(c);
            digest = d;
            log.event(
                    "egress",
                    "routes-reloaded",
                    Map.of("file", file.toString(), "hosts", c.allowedHosts(), "sha256", d));
            return true;
        } catch (BottleException e) {
            digest = d;
            log.event(
                    "egress",
                    "routes-reload-failed",
                    Map.of("file", file.toString(), "reason", e.getMessage(), "kept", "previous routes"));
            return false;
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BottleException(file + ": cannot read (" + e + ")", e);
        }
    }
}
