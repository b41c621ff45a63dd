package dev.bottles.bundle;

import dev.bottles.sidecars.GitGateConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * How the git gate reaches an upstream: SSH (JGit's Apache MINA client) with that repository's own
 * key, checking the upstream's host key against the pinned ones, or, for a repository whose
 * bottle pinned none, accepting any key (and the gate warns at start). The agent never holds a key.
 */
final class UpstreamTransport implements AutoCloseable {
    private final SshdSessionFactory ssh;
    private final Path keysDir;
    private final Path pinned;

    private UpstreamTransport(SshdSessionFactory ssh, Path keysDir, Path pinned) {
        this.ssh = ssh;
        this.keysDir = keysDir;
        this.pinned = pinned;
    }

    /**
     * Creates the transport.
     *
     * @param keysDir where the gate's keys are, one file per repository name
     * @param knownHosts the known host keys, or a missing file when there are none
     * @param pinned the pinned host keys a repository with a pinned key is checked against
     *     ({@code GitGateConfig.knownHosts()})
     * @return the transport
     * @throws IOException when its private home cannot be created
     */
    static UpstreamTransport create(Path keysDir, Path knownHosts, Path pinned) throws IOException {
        Path home = Files.createTempDirectory("git-gate-home");
        SshdSessionFactory ssh = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home.toFile())
                .setSshDirectory(keysDir.toFile())
                .setDefaultKnownHostsFiles(dir -> Files.exists(knownHosts) ? List.of(knownHosts) : List.of())
                .setDefaultIdentities(dir -> List.of())
                .build(null);
        return new UpstreamTransport(ssh, keysDir, pinned);
    }

    /**
     * Returns what configures a fetch, ls-remote or push to one repository's upstream.
     *
     * @param repo the repository
     * @return the callback
     */
    TransportConfigCallback forRepo(GitGateConfig.Repo repo) {
        Path key = Path.of(repo.identityFile());
        SshdSessionFactory perRepo = new SshdSessionFactoryBuilder()
                .setHomeDirectory(ssh.getHomeDirectory())
                .setSshDirectory(keysDir.toFile())
                .setDefaultKnownHostsFiles(
                        dir -> repo.hostKeyPinned() && Files.exists(pinned) ? List.of(pinned) : List.of())
                .setDefaultIdentities(dir -> List.of(key))
                .setServerKeyDatabase((home, sshDir) -> repo.hostKeyPinned() ? null : new AcceptAny())
                .build(null);
        return t -> {
            if (t instanceof SshTransport s) {
                s.setSshSessionFactory(perRepo);
            }
        };
    }

    @Override
    public void close() {
        ssh.close();
    }

    /** The server key database of an upstream whose key the bottle did not pin: any key is accepted. */
    private static final class AcceptAny implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(
                String connectAddress,
                InetSocketAddress remoteAddress,
                PublicKey serverKey,
                Configuration config,
                CredentialsProvider provider) {
            return true;
        }
    }
}
