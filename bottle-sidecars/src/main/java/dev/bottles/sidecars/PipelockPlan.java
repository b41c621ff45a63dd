package dev.bottles.sidecars;

import dev.bottles.state.SecureFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link PipelockProxy} prepared for one bottle.
 *
 * @param config the rendered {@code pipelock.yaml} on the host
 * @param caCertificate the pipelock CA certificate on the host (0600, read by the bundle, which runs as its owner); egress trusts it
 * @param caKey the pipelock CA key on the host (0600)
 * @param allowlist the hosts pipelock admits, lower-cased, de-duplicated, defaults first
 */
public record PipelockPlan(Path config, Path caCertificate, Path caKey, List<String> allowlist) {

    /**
     * Validates and copies.
     *
     * @param config the rendered {@code pipelock.yaml}
     * @param caCertificate the CA certificate
     * @param caKey the CA key
     * @param allowlist the admitted hosts
     */
    public PipelockPlan {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(caKey, "caKey");
        allowlist = List.copyOf(allowlist);
    }

    /**
     * Returns the directory holding the plan's files.
     *
     * @return the {@code pipelock/} state subdirectory
     */
    public Path directory() {
        return SecureFiles.parent(config);
    }
}
