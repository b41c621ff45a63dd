package dev.bottles.bundle;

import dev.bottles.BottleException;
import dev.bottles.bundle.internal.ProxyAuth;
import dev.bottles.sidecars.GitGateConfig;
import dev.bottles.sidecars.SecretScanner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonClient;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;
import org.jspecify.annotations.Nullable;

/**
 * The git gate: a {@code git://} daemon (JGit's) serving one bare mirror per declared upstream and
 * nothing else. Before each fetch it refreshes the mirror from the upstream over SSH with the gate's
 * key, and refuses to serve when it cannot (fail closed). A push is checked before anything leaves:
 * only branches ({@code refs/heads/*}), no deletes, no tags, no non-fast-forward on the upstream's
 * default branch, and no commit whose content or message holds one of the bottle's secrets or a
 * well-known token shape ({@link PushPolicy}, with the rules egress applies); then it is pushed to
 * the upstream ({@link UpstreamTransport}), and only what the upstream accepted lands in the mirror.
 * The agent never holds the key.
 */
final class GitGateDaemon implements AutoCloseable {
    private static final long MAX_PACK = 256L * 1024 * 1024;

    private final GitGateConfig config;
    private final Path mirrors;
    private final PushPolicy policy;
    private final @Nullable String access;
    private final BundleLog log;
    private final UpstreamTransport upstreams;
    private final Daemon daemon;

    private GitGateDaemon(
            GitGateConfig config,
            Path mirrors,
            PushPolicy policy,
            @Nullable String access,
            BundleLog log,
            UpstreamTransport upstreams,
            Daemon daemon) {
        this.config = config;
        this.mirrors = mirrors;
        this.policy = policy;
        this.access = access;
        this.log = log;
        this.upstreams = upstreams;
        this.daemon = daemon;
    }

    /**
     * Creates the mirrors and starts serving.
     *
     * @param config the declared upstreams ({@code upstreams.json})
     * @param listen where to listen (in the bundle: {@code 0.0.0.0:9418})
     * @param mirrors where the bare mirrors live (inside the bundle, not mounted)
     * @param keysDir where the gate's keys are, one file per repository name
     * @param knownHosts the pinned host keys, or a missing file when none are pinned
     * @param scanner what a push may not contain: the bottle's secrets and the well-known token
     *     shapes (the rule set egress uses too)
     * @param access the bottle's access credential, the first path segment of every repository
     *     the agent asks for; null serves any client (tests)
     * @param log where decisions go
     * @return the running gate
     * @throws BottleException when a mirror cannot be created or the address bound
     */
    public static GitGateDaemon start(
            GitGateConfig config,
            InetSocketAddress listen,
            Path mirrors,
            Path keysDir,
            Path knownHosts,
            SecretScanner scanner,
            @Nullable String access,
            BundleLog log) {
        try {
            Files.createDirectories(mirrors);
            for (GitGateConfig.Repo r : config.repos()) {
                Path dir = mirrors.resolve(r.name() + ".git");
                if (!Files.exists(dir)) {
                    try (Git g =
                            Git.init().setBare(true).setGitDir(dir.toFile()).call()) {
                        g.getRepository().getConfig().setBoolean("uploadpack", null, "allowReachableSHA1InWant", true);
                        g.getRepository().getConfig().save();
                    }
                }
            }
            UpstreamTransport upstreams = UpstreamTransport.create(keysDir, knownHosts, Path.of(config.knownHosts()));
            Daemon d = new Daemon(listen);
            GitGateDaemon gate = new GitGateDaemon(config, mirrors, new PushPolicy(scanner), access, log, upstreams, d);
            d.getService("git-receive-pack").setEnabled(true);
            d.setRepositoryResolver(gate::open);
            d.setUploadPackFactory(gate::uploadPack);
            d.setReceivePackFactory(gate::receivePack);
            d.start();
            for (GitGateConfig.Repo r : config.repos()) {
                if (!r.hostKeyPinned()) {
                    log.event(
                            "git-gate",
                            "warning",
                            Map.of(
                                    "repo",
                                    r.name(),
                                    "reason",
                                    "the upstream's host key is not"
                                            + " pinned (no KnownHostKey); any key is accepted"));
                }
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("listen", String.valueOf(d.getAddress()));
            f.put("repos", config.repos().stream().map(GitGateConfig.Repo::name).toList());
            log.event("git-gate", "ready", f);
            return gate;
        } catch (IOException | GitAPIException e) {
            throw new BottleException("git-gate cannot start (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Returns the port it listens on.
     *
     * @return the port
     */
    public int port() {
        return daemon.getAddress().getPort();
    }

    private Repository open(DaemonClient client, String name) throws RepositoryNotFoundException {
        String n = name.replaceFirst("^/+", "");
        if (access != null) {
            int slash = n.indexOf('/');
            if (slash < 0 || !ProxyAuth.same(n.substring(0, slash), access)) {
                log.event(
                        "git-gate",
                        "unauthenticated",
                        Map.of(
                                "client",
                                String.valueOf(client.getRemoteAddress()),
                                "reason",
                                "the path does not start with the bottle's access credential"));
                throw new RepositoryNotFoundException("(not served)");
            }
            n = n.substring(slash + 1).replaceFirst("^/+", "");
        }
        GitGateConfig.Repo repo = config.repo(n).orElse(null);
        if (repo == null) {
            log.event("git-gate", "refused", Map.of("repo", n, "reason", "not a declared upstream"));
            throw new RepositoryNotFoundException(n);
        }
        Repository db;
        try {
            db = new FileRepositoryBuilder()
                    .setGitDir(mirrors.resolve(repo.name() + ".git").toFile())
                    .setMustExist(true)
                    .build();
        } catch (IOException e) {
            throw new RepositoryNotFoundException(n, e);
        }
        return db;
    }

    private GitGateConfig.Repo repoOf(Repository db) {
        String dir = db.getDirectory().getName();
        String name = dir.endsWith(".git") ? dir.substring(0, dir.length() - 4) : dir;
        return config.repo(name).orElseThrow();
    }

    private UploadPack uploadPack(DaemonClient client, Repository db) {
        GitGateConfig.Repo repo = repoOf(db);
        return new UploadPack(db) {
            @Override
            public void upload(InputStream in, OutputStream out, @Nullable OutputStream err) throws IOException {
                try {
                    refresh(repo, db);
                } catch (ServiceMayNotContinueException e) {
                    // what git's daemon does with an access hook's message: the client prints it
                    PacketLineOut p = new PacketLineOut(out);
                    p.writeString("ERR " + e.getMessage() + "\n");
                    p.flush();
                    return;
                }
                super.upload(in, out, err);
            }
        };
    }

    /** Fetches the upstream into the mirror before it is served; fails closed. */
    private void refresh(GitGateConfig.Repo repo, Repository db) throws ServiceMayNotContinueException {
        try (Git g = Git.wrap(db)) {
            g.fetch()
                    .setRemote(repo.upstream().url())
                    .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
                    .setRemoveDeletedRefs(true)
                    .setTransportConfigCallback(upstreams.forRepo(repo))
                    .call();
            String head = upstreamHead(g, repo);
            if (head != null) {
                db.updateRef(Constants.HEAD).link(head);
            }
            log.event("git-gate", "refreshed", Map.of("repo", repo.name()));
        } catch (GitAPIException | IOException | RuntimeException e) {
            log.event(
                    "git-gate",
                    "refresh-failed",
                    Map.of("repo", repo.name(), "reason", String.valueOf(e.getMessage())));
            throw new ServiceMayNotContinueException("git-gate: cannot refresh '" + repo.name()
                    + "' from its upstream (" + e.getMessage() + "); refusing to serve a stale mirror");
        }
    }

    private @Nullable String upstreamHead(Git g, GitGateConfig.Repo repo) throws GitAPIException {
        for (Ref r : g.lsRemote()
                .setRemote(repo.upstream().url())
                .setTransportConfigCallback(upstreams.forRepo(repo))
                .callAsMap()
                .values()) {
            if (r.getName().equals(Constants.HEAD) && r.isSymbolic()) {
                return r.getTarget().getName();
            }
        }
        return null;
    }

    private ReceivePack receivePack(DaemonClient client, Repository db) {
        GitGateConfig.Repo repo = repoOf(db);
        String stale;
        try {
            refresh(repo, db);
            stale = null;
        } catch (ServiceMayNotContinueException e) {
            stale = e.getMessage();
        }
        String refused = stale;
        ReceivePack rp = new ReceivePack(db);
        rp.setAllowDeletes(false);
        rp.setMaxPackSizeLimit(MAX_PACK); // a push is held on the gate's disk before it is checked
        rp.setAllowNonFastForwards(true); // decided per ref below: never on the default branch
        rp.setPreReceiveHook((pack, commands) -> {
            if (refused != null) {
                commands.forEach(c -> c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, refused));
                return;
            }
            try {
                checkAndForward(repo, db, pack, commands);
            } catch (RuntimeException e) {
                for (ReceiveCommand c : commands) {
                    if (c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED) {
                        c.setResult(
                                ReceiveCommand.Result.REJECTED_OTHER_REASON,
                                "git-gate failed to check it (" + e.getClass().getSimpleName()
                                        + "); nothing was pushed");
                    }
                }
            }
        });
        return rp;
    }

    private void checkAndForward(
            GitGateConfig.Repo repo, Repository db, ReceivePack pack, Collection<ReceiveCommand> commands) {
        String defaultBranch = defaultBranch(db);
        List<ReceiveCommand> forward = new ArrayList<>();
        for (ReceiveCommand c : commands) {
            if (c.getResult() != ReceiveCommand.Result.NOT_ATTEMPTED) {
                continue;
            }
            String why = policy.judge(db, c, defaultBranch);
            if (why != null) {
                c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, why);
                pack.sendMessage("git-gate refused " + c.getRefName() + ": " + why);
                decision(repo, c, "blocked", why);
            } else {
                forward.add(c);
            }
        }
        if (forward.isEmpty()) {
            return;
        }
        try (Git g = Git.wrap(db)) {
            List<RefSpec> specs = new ArrayList<>();
            for (ReceiveCommand c : forward) {
                specs.add(new RefSpec((c.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD ? "+" : "")
                        + c.getNewId().name() + ":" + c.getRefName()));
            }
            Iterable<PushResult> results = g.push()
                    .setRemote(repo.upstream().url())
                    .setRefSpecs(specs)
                    .setTransportConfigCallback(upstreams.forRepo(repo))
                    .call();
            for (ReceiveCommand c : forward) {
                RemoteRefUpdate u = null;
                for (PushResult pr : results) {
                    u = u != null ? u : pr.getRemoteUpdate(c.getRefName());
                }
                if (u != null
                        && (u.getStatus() == RemoteRefUpdate.Status.OK
                                || u.getStatus() == RemoteRefUpdate.Status.UP_TO_DATE)) {
                    decision(repo, c, "forwarded", "pushed to the upstream");
                } else {
                    String why = "the upstream refused it ("
                            + (u == null
                                    ? "no result"
                                    : u.getStatus() + (u.getMessage() == null ? "" : ": " + u.getMessage()))
                            + ")";
                    c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, why);
                    decision(repo, c, "blocked", why);
                }
            }
        } catch (GitAPIException | RuntimeException e) {
            for (ReceiveCommand c : forward) {
                c.setResult(
                        ReceiveCommand.Result.REJECTED_OTHER_REASON,
                        "git-gate could not reach the upstream (" + e.getMessage() + "); nothing was pushed");
                decision(repo, c, "failed", String.valueOf(e.getMessage()));
            }
        }
    }

    private static @Nullable String defaultBranch(Repository db) {
        try {
            Ref head = db.exactRef(Constants.HEAD);
            return head != null && head.isSymbolic() ? head.getTarget().getName() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void decision(GitGateConfig.Repo repo, ReceiveCommand c, String verdict, String reason) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("repo", repo.name());
        f.put("ref", c.getRefName());
        f.put("type", c.getType().name().toLowerCase(Locale.ROOT));
        f.put("new", c.getNewId().name());
        f.put("verdict", verdict);
        f.put("reason", reason);
        log.event("git-gate", "push", f);
    }

    /** Stops serving. */
    @Override
    public void close() {
        try {
            daemon.stopAndWait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        upstreams.close();
    }
}
