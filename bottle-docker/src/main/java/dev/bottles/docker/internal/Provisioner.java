package dev.bottles.docker.internal;

import dev.bottles.BottleException;
import dev.bottles.docker.DockerBottlePlan;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.HostPort;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Puts into a started agent container what the original provisioned, in its order: the egress CA
 * (installed into the system trust bundle), the prompt, the skills, the git config, the MCP config.
 * Everything goes in one tar; the home's files belong to the agent's uid.
 */
public final class Provisioner {
    /** Where the prompt lands, under the agent's home. */
    public static final String PROMPT = ".claude-bottle/prompt.txt";
    /** Where the MCP config lands, under the agent's home. */
    public static final String MCP_CONFIG = ".claude-bottle/mcp.json";
    private static final String TRUST_SCRIPT = "if command -v update-ca-certificates >/dev/null 2>&1; then"
            + " update-ca-certificates >/dev/null 2>&1; else mkdir -p /etc/ssl/certs && cat "
            + AgentEnvironment.CA_CERT_PATH + " >> " + AgentEnvironment.CA_BUNDLE_PATH + "; fi";

    private Provisioner() {}

    /**
     * Copies the agent's files into its container; works before the container starts.
     *
     * @param engine the engine
     * @param container the agent container
     * @param plan the plan
     * @param bundleIp where the agent reaches the bundle
     */
    public static void copyFiles(DockerEngine engine, String container, DockerBottlePlan plan, String bundleIp) {
        Tar tar = new Tar();
        String home = plan.containerHome().replaceFirst("^/+", "").replaceFirst("/+$", "");
        int uid = plan.containerUid();
        tar.file(AgentEnvironment.CA_CERT_PATH.substring(1), read(plan.sidecars().egress().caCertificate()), 0, 0644);
        tar.dir(home, uid);
        tar.dir(home + "/.claude-bottle", uid);
        tar.file(home + "/" + PROMPT, read(plan.promptFile()), uid, 0600);
        if (!plan.skills().isEmpty()) {
            tar.dir(home + "/.claude", uid);
            tar.dir(home + "/.claude/skills", uid);
            plan.skills().forEach((name, dir) -> tar.tree(dir, home + "/.claude/skills/" + name, uid));
        }
        if (plan.sidecars().gitGate() != null) {
            tar.file(home + "/.gitconfig", plan.sidecars().gitGate().agentGitConfig(new HostPort(bundleIp,
                    Daemon.GIT_GATE.port())).getBytes(StandardCharsets.UTF_8), uid, 0644);
        }
        if (plan.sidecars().supervise() != null) {
            tar.file(home + "/" + MCP_CONFIG, plan.sidecars().supervise().mcpJson(new HostPort(bundleIp,
                    Daemon.SUPERVISE.port())).getBytes(StandardCharsets.UTF_8), uid, 0644);
        }
        engine.copyTar(container, "/", new ByteArrayInputStream(tar.bytes()));
    }

    /**
     * Installs the copied egress CA into the running agent's system trust bundle.
     *
     * @param engine the engine
     * @param container the started agent container
     */
    public static void trustCa(DockerEngine engine, String container) {
        var trusted = engine.exec(container, List.of("/bin/sh", "-c", TRUST_SCRIPT), "0", null, List.of(),
                Duration.ofSeconds(60));
        if (trusted.result().exitCode() != 0) {
            throw new BottleException("installing the egress CA in the agent failed (exit "
                    + trusted.result().exitCode() + "): " + trusted.result().stderr().strip());
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new BottleException("cannot read " + f + " (" + e + ")", e);
        }
    }

    /** A tar built in memory with explicit owners and modes. */
    static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);
        private final Set<String> dirs = new LinkedHashSet<>();

        Tar() {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        void dir(String path, int uid) {
            if (!dirs.add(path)) {
                return;
            }
            TarArchiveEntry e = new TarArchiveEntry(path + "/");
            e.setMode(040755);
            e.setIds(uid, uid);
            put(e, new byte[0]);
        }

        void file(String path, byte[] content, int uid, int mode) {
            TarArchiveEntry e = new TarArchiveEntry(path);
            e.setSize(content.length);
            e.setMode(0100000 | mode);
            e.setIds(uid, uid);
            put(e, content);
        }

        void tree(Path hostDir, String at, int uid) {
            dir(at, uid);
            try (Stream<Path> walk = Files.walk(hostDir)) {
                List<Path> all = new ArrayList<>(walk.sorted().toList());
                for (Path p : all) {
                    if (p.equals(hostDir) || Files.isSymbolicLink(p)) {
                        continue;
                    }
                    String rel = at + "/" + hostDir.relativize(p).toString().replace('\\', '/');
                    if (Files.isDirectory(p)) {
                        dir(rel, uid);
                    } else {
                        file(rel, Files.readAllBytes(p), uid, Files.isExecutable(p) ? 0755 : 0644);
                    }
                }
            } catch (IOException e) {
                throw new BottleException("cannot copy skill " + hostDir + " (" + e + ")", e);
            }
        }

        private void put(TarArchiveEntry e, byte[] content) {
            try {
                out.putArchiveEntry(e);
                out.write(content);
                out.closeArchiveEntry();
            } catch (IOException ex) {
                throw new BottleException("cannot build the provisioning archive (" + ex + ")", ex);
            }
        }

        byte[] bytes() {
            try {
                out.finish();
                out.close();
            } catch (IOException e) {
                throw new BottleException("cannot build the provisioning archive (" + e + ")", e);
            }
            return bytes.toByteArray();
        }
    }
}
