package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.bottles.BottleException;
import dev.bottles.ExecResult;
import dev.bottles.spi.Subnet;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Task-level verbs over one docker-java client: the only class that touches docker-java. Missing
 * things are success where teardown needs idempotency; engine errors become {@link BottleException}s
 * that say what was attempted.
 */
public final class DockerEngine implements Closeable {
    private static final System.Logger LOG = System.getLogger(DockerEngine.class.getName());
    private static final int MAX_CONNECTIONS = 64;
    private static final int ENDPOINT_RETRIES = 20;
    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * The daemon threads engine work runs on, shared by every bottle of the process: parallel
     * launch steps, a streamed command's pumps, teardown branches.
     */
    public static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bottles-docker-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final DockerClient client;
    private final String host;
    private volatile @Nullable String apiVersion;

    /**
     * Wraps a client.
     *
     * @param client the docker-java client
     * @param host where it points, for messages
     */
    DockerEngine(DockerClient client, String host) {
        this.client = client;
        this.host = host;
    }

    /**
     * Connects to the engine named by {@code DOCKER_HOST} (default the local socket) and pins the API
     * version the engine reports, since docker-java does not negotiate.
     *
     * @param dockerHost the engine's address, or null for docker-java's default
     * @return the engine
     * @throws BottleException when the engine does not answer
     */
    public static DockerEngine connect(@Nullable String dockerHost) {
        DefaultDockerClientConfig unpinned = config(dockerHost, null);
        String host = unpinned.getDockerHost().toString();
        // One transport (the costly part to build) serves the version probe and the pinned client.
        DockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(unpinned.getDockerHost())
                .sslConfig(unpinned.getSSLConfig())
                .maxConnections(MAX_CONNECTIONS)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        String api;
        try {
            api = DockerClientImpl.getInstance(unpinned, http)
                    .versionCmd()
                    .exec()
                    .getApiVersion();
        } catch (RuntimeException e) {
            try {
                http.close();
            } catch (IOException ignored) {
                // the engine is unreachable anyway
            }
            throw unreachable(host, e);
        }
        DockerEngine engine = new DockerEngine(DockerClientImpl.getInstance(config(dockerHost, api), http), host);
        engine.apiVersion = api;
        return engine;
    }

    /**
     * Connects over a given transport (tests use a recording fake).
     *
     * @param http the transport
     * @param apiVersion the API version to pin, or null
     * @return the engine
     */
    static DockerEngine over(DockerHttpClient http, @Nullable String apiVersion) {
        DefaultDockerClientConfig.Builder b =
                DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost("unix:///var/run/docker.sock");
        if (apiVersion != null) {
            b.withApiVersion(apiVersion);
        }
        return new DockerEngine(DockerClientImpl.getInstance(b.build(), http), "test transport");
    }

    private static DefaultDockerClientConfig config(@Nullable String dockerHost, @Nullable String apiVersion) {
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (dockerHost != null && !dockerHost.isBlank()) {
            b.withDockerHost(dockerHost);
        }
        if (apiVersion != null) {
            b.withApiVersion(apiVersion);
        }
        return b.build();
    }

    /**
     * Returns where the engine is.
     *
     * @return e.g. {@code unix:///var/run/docker.sock}
     */
    public String host() {
        return host;
    }

    BottleException unreachable(RuntimeException e) {
        return unreachable(host, e);
    }

    private static BottleException unreachable(String host, RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IOException)) {
            cause = cause.getCause();
        }
        return new BottleException(
                "Docker engine not reachable at " + host + " (" + cause.getMessage() + "); start"
                        + " dockerd, or point DOCKER_HOST at a running engine",
                e);
    }

    /**
     * What the engine says about itself.
     *
     * @param version the server version
     * @param apiVersion the API version
     * @param operatingSystem e.g. {@code Debian GNU/Linux 12} or {@code Docker Desktop}
     * @param runtimes the registered OCI runtimes
     */
    public record EngineInfo(String version, String apiVersion, String operatingSystem, Set<String> runtimes) {
        /**
         * Tells whether this is Docker Desktop, whose bridge IPs the host cannot reach.
         *
         * @return true on Docker Desktop
         */
        public boolean dockerDesktop() {
            return operatingSystem.contains("Docker Desktop");
        }
    }

    /**
     * Asks the engine what it is.
     *
     * @return its version, OS and runtimes
     * @throws BottleException when it does not answer
     */
    public EngineInfo info() {
        try {
            Version v = client.versionCmd().exec();
            Info i = client.infoCmd().exec();
            Set<String> runtimes = i.getRuntimes() == null
                    ? Set.of()
                    : Set.copyOf(i.getRuntimes().keySet());
            return new EngineInfo(
                    String.valueOf(v.getVersion()),
                    String.valueOf(v.getApiVersion()),
                    String.valueOf(i.getOperatingSystem()),
                    runtimes);
        } catch (DockerException e) {
            throw new BottleException("the Docker engine at " + host + " answered with an error: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /** The engine refused a subnet because another network holds it. */
    public static final class PoolOverlapException extends BottleException {
        private static final long serialVersionUID = 1L;

        PoolOverlapException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The bridge option that keeps the host from taking the gateway address on an internal network.
     * Without it the host owns {@code .1}, and a container on the "internal" network reaches every
     * host service listening on all interfaces through it (Docker's isolation rules only cover
     * forwarded traffic, not traffic addressed to the host itself).
     */
    public static final String INHIBIT_IPV4 = "com.docker.network.bridge.inhibit_ipv4";

    /**
     * Creates a bridge network with a pinned subnet and {@code CheckDuplicate}; a network of that name
     * that already exists is success (its id is returned).
     *
     * @param name the network's name
     * @param subnet its subnet
     * @param internal whether it has no route out; the host then takes no address on it either
     * @param labels its labels
     * @return the network's id
     * @throws PoolOverlapException when the subnet overlaps another network's
     * @throws BottleException on any other failure
     */
    public String createNetwork(String name, Subnet subnet, boolean internal, Map<String, String> labels) {
        try {
            return client.createNetworkCmd()
                    .withName(name)
                    .withDriver("bridge")
                    .withInternal(internal)
                    .withCheckDuplicate(true)
                    .withLabels(labels)
                    .withOptions(internal ? Map.of(INHIBIT_IPV4, "true") : Map.of())
                    .withIpam(new Network.Ipam()
                            .withDriver("default")
                            .withConfig(new Network.Ipam.Config()
                                    .withSubnet(subnet.cidr())
                                    .withGateway(subnet.gateway())
                                    .withIpRange(dynamicRange(subnet))))
                    .exec()
                    .getId();
        } catch (ConflictException e) {
            return client.inspectNetworkCmd().withNetworkId(name).exec().getId();
        } catch (DockerException e) {
            if (e.getHttpStatus() == 403 && String.valueOf(e.getMessage()).contains("Pool overlaps")) {
                throw new PoolOverlapException("subnet " + subnet + " overlaps another network", e);
            }
            throw new BottleException("cannot create network " + name + " (" + subnet + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /**
     * Returns the part of a subnet the engine may hand out by itself: the upper half, so a pinned
     * low address (the bundle's {@code .2}) is never taken by a container that starts first.
     *
     * @param subnet the subnet
     * @return e.g. {@code 192.168.42.128/25}
     */
    static String dynamicRange(Subnet subnet) {
        return subnet.first() + "." + subnet.second() + "." + subnet.third() + ".128/25";
    }

    /**
     * Removes a network; a missing one is success, one with active endpoints is logged and kept.
     *
     * @param nameOrId the network
     * @return true when it was removed
     */
    public boolean removeNetwork(String nameOrId) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.removeNetworkCmd(nameOrId).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            } catch (DockerException e) {
                // dockerd detaches a force-removed container's endpoints asynchronously: retry briefly.
                if (String.valueOf(e.getMessage()).contains("active endpoints") && attempt < ENDPOINT_RETRIES) {
                    sleep(100);
                    continue;
                }
                LOG.log(Level.WARNING, "cannot remove network " + nameOrId + ": " + e.getMessage());
                throw new BottleException("cannot remove network " + nameOrId + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Creates a container.
     *
     * @param spec what to create
     * @return its id
     * @throws BottleException when the name is taken, the image is missing, or the engine refuses
     */
    public String createContainer(ContainerSpec spec) {
        HostConfig hc = HostConfig.newHostConfig().withNetworkMode(spec.network());
        ContainerSpec.Hardening h = spec.hardening();
        if (h.dropAll()) {
            hc.withCapDrop(Capability.ALL).withSecurityOpts(List.of("no-new-privileges"));
        }
        if (h.pids() > 0) {
            hc.withPidsLimit(h.pids());
        }
        if (h.memoryBytes() > 0) {
            hc.withMemory(h.memoryBytes()).withMemorySwap(h.memoryBytes());
        }
        if (h.readOnlyRootfs()) {
            hc.withReadonlyRootfs(true);
        }
        if (!h.tmpfs().isEmpty()) {
            hc.withTmpFs(h.tmpfs());
        }
        if (spec.runtime() != null) {
            hc.withRuntime(spec.runtime());
        }
        if (!spec.binds().isEmpty()) {
            hc.withBinds(spec.binds().stream().map(Bind::parse).toList());
        }
        if (!spec.dns().isEmpty()) {
            hc.withDns(spec.dns());
        }
        List<ExposedPort> exposed = new ArrayList<>();
        if (!spec.publishedPorts().isEmpty()) {
            Ports ports = new Ports();
            for (int p : spec.publishedPorts()) {
                ExposedPort e = ExposedPort.tcp(p);
                exposed.add(e);
                ports.bind(e, Ports.Binding.bindIp("127.0.0.1"));
            }
            hc.withPortBindings(ports);
        }
        CreateContainerCmd cmd = client.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(spec.env())
                .withLabels(spec.labels())
                .withHostConfig(hc);
        if (!spec.cmd().isEmpty()) {
            cmd.withCmd(spec.cmd());
        }
        if (h.user() != null) {
            cmd.withUser(h.user());
        }
        if (!exposed.isEmpty()) {
            cmd.withExposedPorts(exposed);
        }
        if (spec.ipv4() != null) {
            cmd.withIpv4Address(spec.ipv4());
        }
        if (!spec.aliases().isEmpty()) {
            cmd.withAliases(spec.aliases());
        }
        try {
            return cmd.exec().getId();
        } catch (ConflictException e) {
            throw new BottleException("container name " + spec.name() + " is taken: " + e.getMessage(), e);
        } catch (NotFoundException e) {
            throw new BottleException(
                    "image " + spec.image() + " is not on the engine (" + e.getMessage() + "); build"
                            + " or pull it first",
                    e);
        } catch (DockerException e) {
            throw new BottleException("cannot create container " + spec.name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /**
     * Connects a container to another network.
     *
     * @param container the container
     * @param network the network
     * @param aliases its aliases there
     */
    public void connect(String container, String network, List<String> aliases) {
        try {
            client.connectToNetworkCmd()
                    .withContainerId(container)
                    .withNetworkId(network)
                    .withContainerNetwork(new ContainerNetwork().withAliases(aliases))
                    .exec();
        } catch (DockerException e) {
            throw new BottleException("cannot connect " + container + " to " + network + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a container.
     *
     * @param container the container
     * @throws BottleException when it does not start (a pinned IP outside its subnet fails here)
     */
    public void start(String container) {
        try {
            client.startContainerCmd(container).exec();
        } catch (NotModifiedException e) {
            return;
        } catch (DockerException e) {
            throw new BottleException("cannot start container " + container + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes a container, stopping it first; a missing one is success.
     *
     * @param container the container
     * @return true when it was removed
     */
    public boolean removeContainer(String container) {
        try {
            client.removeContainerCmd(container)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (ConflictException e) {
            if (String.valueOf(e.getMessage()).contains("already in progress")) {
                return false;
            }
            throw new BottleException("cannot remove container " + container + ": " + e.getMessage(), e);
        } catch (DockerException e) {
            throw new BottleException("cannot remove container " + container + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tells whether a container exists.
     *
     * @param nameOrId the container
     * @return true when it exists
     */
    public boolean containerExists(String nameOrId) {
        try {
            client.inspectContainerCmd(nameOrId).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            if (e instanceof DockerException) {
                throw new BottleException("cannot inspect container " + nameOrId + ": " + e.getMessage(), e);
            }
            throw unreachable(e);
        }
    }

    /**
     * Returns a container's environment as the engine records it.
     *
     * @param container the container
     * @return its {@code NAME=value} entries
     */
    public List<String> containerEnv(String container) {
        String[] env = client.inspectContainerCmd(container).exec().getConfig().getEnv();
        return env == null ? List.of() : List.of(env);
    }

    /**
     * How a container is locked down, as the engine reports it ({@code docker inspect}).
     *
     * @param user the configured user, empty for the image's
     * @param capDrop the dropped capabilities
     * @param securityOpts the security options
     * @param readOnlyRootfs whether the root file system is read-only
     * @param pidsLimit the pids limit, 0 for none
     * @param memory the memory limit in bytes, 0 for none
     * @param tmpfs the tmpfs mounts
     */
    public record Lockdown(
            String user,
            List<String> capDrop,
            List<String> securityOpts,
            boolean readOnlyRootfs,
            long pidsLimit,
            long memory,
            Map<String, String> tmpfs) {}

    /**
     * Returns how a container is locked down.
     *
     * @param container the container
     * @return what the engine reports
     */
    public Lockdown lockdown(String container) {
        InspectContainerResponse r = client.inspectContainerCmd(container).exec();
        HostConfig h = r.getHostConfig();
        List<String> caps = new ArrayList<>();
        if (h.getCapDrop() != null) {
            for (Capability c : h.getCapDrop()) {
                caps.add(c.name());
            }
        }
        return new Lockdown(
                String.valueOf(
                        r.getConfig().getUser() == null ? "" : r.getConfig().getUser()),
                caps,
                h.getSecurityOpts() == null ? List.of() : h.getSecurityOpts(),
                Boolean.TRUE.equals(h.getReadonlyRootfs()),
                h.getPidsLimit() == null ? 0 : h.getPidsLimit(),
                h.getMemory() == null ? 0 : h.getMemory(),
                h.getTmpFs() == null ? Map.of() : h.getTmpFs());
    }

    /**
     * Returns a running container's memory use as the engine's stats report it (cache excluded,
     * as {@code docker stats} shows it).
     *
     * @param container the container
     * @return bytes in use
     */
    public long memoryUsage(String container) {
        Statistics[] got = new Statistics[1];
        try (var cb = client.statsCmd(container).withNoStream(true).exec(new ResultCallback.Adapter<Statistics>() {
            @Override
            public void onNext(Statistics st) {
                got[0] = st;
            }
        })) {
            cb.awaitCompletion(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new BottleException("cannot read the stats of " + container + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var mem = got[0] == null ? null : got[0].getMemoryStats();
        if (mem == null || mem.getUsage() == null) {
            return 0;
        }
        long cache = mem.getStats() == null || mem.getStats().getInactiveFile() == null
                ? 0
                : mem.getStats().getInactiveFile();
        return mem.getUsage() - cache;
    }

    /**
     * Returns a container's address on each network.
     *
     * @param container the container
     * @return network name to IPv4 address
     */
    public Map<String, String> containerAddresses(String container) {
        InspectContainerResponse r = client.inspectContainerCmd(container).exec();
        Map<String, String> out = new LinkedHashMap<>();
        r.getNetworkSettings().getNetworks().forEach((n, c) -> out.put(n, c.getIpAddress()));
        return out;
    }

    /**
     * Returns the host port a container port is published on.
     *
     * @param container the container
     * @param port the container port
     * @return the host port, if published
     */
    public Optional<Integer> hostPort(String container, int port) {
        Ports ports = client.inspectContainerCmd(container)
                .exec()
                .getNetworkSettings()
                .getPorts();
        Ports.Binding[] b = ports == null ? null : ports.getBindings().get(ExposedPort.tcp(port));
        if (b == null || b.length == 0 || b[0].getHostPortSpec() == null) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(b[0].getHostPortSpec()));
    }

    /**
     * Tells whether a local image exists.
     *
     * @param ref the image
     * @return true when the engine has it
     */
    public boolean imageExists(String ref) {
        try {
            client.inspectImageCmd(ref).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            if (e instanceof DockerException) {
                throw new BottleException("cannot inspect image " + ref + ": " + e.getMessage(), e);
            }
            throw unreachable(e);
        }
    }

    /**
     * Removes an image; a missing one is success.
     *
     * @param ref the image
     */
    public void removeImage(String ref) {
        try {
            client.removeImageCmd(ref).withForce(true).exec();
        } catch (NotFoundException e) {
            return;
        } catch (DockerException e) {
            throw new BottleException("cannot remove image " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds an image from a context directory, honouring its {@code .dockerignore}, reusing the
     * engine's layer cache, never pulling.
     *
     * @param context the build context
     * @param dockerfile the Dockerfile (inside or outside the context)
     * @param tag the tag to give the image
     * @param labels labels to add
     * @param progress receives each line of build output
     * @return the image id
     * @throws BottleException when the build fails, with the failing step's output
     */
    public String build(
            File context, File dockerfile, String tag, Map<String, String> labels, Consumer<String> progress) {
        return awaitBuild(
                client.buildImageCmd().withBaseDirectory(context).withDockerfile(dockerfile),
                tag,
                labels,
                progress,
                context.toString());
    }

    private String awaitBuild(
            BuildImageCmd cmd, String tag, Map<String, String> labels, Consumer<String> progress, String from) {
        List<String> tail = new ArrayList<>();
        try {
            return cmd.withTags(Set.of(tag))
                    .withLabels(labels)
                    .withPull(false)
                    .withRemove(true)
                    .exec(new BuildImageResultCallback() {
                        @Override
                        public void onNext(BuildResponseItem item) {
                            String s = item.getStream();
                            if (s != null && !s.isBlank()) {
                                String line = s.stripTrailing();
                                progress.accept(line);
                                tail.add(line);
                                if (tail.size() > 30) {
                                    tail.remove(0);
                                }
                            }
                            super.onNext(item);
                        }
                    })
                    .awaitImageId();
        } catch (RuntimeException e) {
            throw new BottleException(
                    "building image " + tag + " from " + from + " failed: " + e.getMessage()
                            + (tail.isEmpty() ? "" : "\nlast build output:\n  " + String.join("\n  ", tail)),
                    e);
        }
    }

    /**
     * Builds an image from a context tar.
     *
     * @param tar the context
     * @param dockerfile the Dockerfile's path inside the tar
     * @param tag the tag
     * @param labels labels to add
     * @param progress receives each line of build output
     * @return the image id
     * @throws BottleException when the build fails, with its last output
     */
    public String buildTar(
            Path tar, String dockerfile, String tag, Map<String, String> labels, Consumer<String> progress) {
        try (InputStream in = Files.newInputStream(tar)) {
            return awaitBuild(
                    client.buildImageCmd(in).withDockerfilePath(dockerfile),
                    tag,
                    labels,
                    progress,
                    "the context " + tar);
        } catch (IOException e) {
            throw new BottleException("cannot read build context " + tar + " (" + e + ")", e);
        }
    }

    /**
     * Copies a tar archive into a container.
     *
     * @param container the container
     * @param remotePath the directory the archive is unpacked into
     * @param tar the archive
     */
    public void copyTar(String container, String remotePath, InputStream tar) {
        try {
            client.copyArchiveToContainerCmd(container)
                    .withRemotePath(remotePath)
                    .withTarInputStream(tar)
                    .exec();
        } catch (DockerException e) {
            throw new BottleException(
                    "cannot copy files into " + container + ":" + remotePath + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a command in a running container and waits for it.
     *
     * @param container the container
     * @param argv the command
     * @param user the user, or null for the container's
     * @param workdir the directory, or null for the container's
     * @param env extra {@code NAME=value} entries for this command
     * @param timeout how long to wait
     * @return the outcome; when it did not finish in time, what it printed so far (the caller stops it)
     */
    public ExecOutcome exec(
            String container,
            List<String> argv,
            @Nullable String user,
            @Nullable String workdir,
            List<String> env,
            Duration timeout) {
        long t0 = System.nanoTime();
        String execId = createExec(container, argv, user, workdir, env, false, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                (f.getStreamType() == StreamType.STDERR ? err : out).writeBytes(f.getPayload());
            }
        };
        boolean finished;
        try {
            finished = client.execStartCmd(execId).exec(cb).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted while running " + argv.get(0) + " in " + container, e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!finished) {
            try {
                cb.close();
            } catch (IOException ignored) {
                // the stream is abandoned either way
            }
            return new ExecOutcome(
                    false,
                    new ExecResult(
                            -1, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), took));
        }
        return new ExecOutcome(
                true,
                new ExecResult(
                        exitCode(execId, 100),
                        out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8),
                        took));
    }

    /**
     * Runs a command attached to streams: {@code stdin} is copied in as the command reads it, its
     * output is written out as it comes. With {@code tty} the engine allocates a terminal (output
     * then arrives as one stream).
     *
     * @param container the container
     * @param argv the command
     * @param user the user, or null for the image's
     * @param workdir the directory, or null
     * @param env extra {@code NAME=value} entries
     * @param tty whether to allocate a terminal
     * @param stdin what the command reads, or null for nothing
     * @param out where its stdout (and, with a tty, everything) goes
     * @param err where its stderr goes
     * @return the exit code
     */
    public int attach(
            String container,
            List<String> argv,
            @Nullable String user,
            @Nullable String workdir,
            List<String> env,
            boolean tty,
            @Nullable InputStream stdin,
            OutputStream out,
            OutputStream err) {
        return attach(container, argv, user, workdir, env, tty, stdin, out, err, id -> {});
    }

    /**
     * Runs a command attached to streams, telling the caller the exec's id once it started (to
     * {@link #resizeExec} its terminal).
     *
     * @param container the container
     * @param argv the command
     * @param user the user, or null for the image's
     * @param workdir the directory, or null
     * @param env extra {@code NAME=value} entries
     * @param tty whether to allocate a terminal
     * @param stdin what the command reads, or null for nothing
     * @param out where its stdout (and, with a tty, everything) goes
     * @param err where its stderr goes
     * @param started receives the exec's id once it runs
     * @return the exit code
     */
    public int attach(
            String container,
            List<String> argv,
            @Nullable String user,
            @Nullable String workdir,
            List<String> env,
            boolean tty,
            @Nullable InputStream stdin,
            OutputStream out,
            OutputStream err,
            Consumer<String> started) {
        String execId = createExec(container, argv, user, workdir, env, stdin != null, tty);
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                OutputStream to = f.getStreamType() == StreamType.STDERR ? err : out;
                try {
                    to.write(f.getPayload());
                    to.flush();
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "the attached output went away", e);
                }
            }
        };
        var start = client.execStartCmd(execId).withTty(tty);
        if (stdin != null) {
            start.withStdIn(stdin);
        }
        try {
            start.exec(cb);
            started.accept(execId);
            cb.awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BottleException("interrupted while attached to " + argv.get(0) + " in " + container, e);
        }
        return exitCode(execId, 200);
    }

    /**
     * Sets the size of an exec's terminal; the command gets {@code SIGWINCH}. An exec that has not
     * started yet or has ended is left alone.
     *
     * @param execId the exec
     * @param columns the width
     * @param rows the height
     * @return whether the engine took it
     */
    public boolean resizeExec(String execId, int columns, int rows) {
        if (columns <= 0 || rows <= 0) {
            return false;
        }
        try {
            client.resizeExecCmd(execId).withSize(rows, columns).exec();
            return true;
        } catch (DockerException e) {
            LOG.log(Level.DEBUG, "resizing exec " + execId + " failed: " + e.getMessage());
            return false;
        }
    }

    /**
     * Runs a command with its output delivered as it comes and, optionally, input that ends: with
     * {@code stdin}, the exec runs on the engine's raw connection ({@link HijackedExec}) so the command
     * sees the input's end; without, through docker-java.
     *
     * @param container the container
     * @param argv the command
     * @param user the user, or null for the container's
     * @param workdir the directory, or null
     * @param env extra {@code NAME=value} entries
     * @param stdin what the command reads, or null for nothing
     * @param out where its stdout goes
     * @param err where its stderr goes
     * @param timeout how long to wait
     * @return whether it finished in time, and its exit code (-1 when it did not)
     */
    public StreamOutcome stream(
            String container,
            List<String> argv,
            @Nullable String user,
            @Nullable String workdir,
            List<String> env,
            @Nullable InputStream stdin,
            OutputStream out,
            OutputStream err,
            Duration timeout) {
        String execId = createExec(container, argv, user, workdir, env, stdin != null, false);
        boolean finished;
        if (stdin != null && HijackedExec.supports(host)) {
            AtomicReference<AutoCloseable> open = new AtomicReference<>();
            CompletableFuture<Void> run = CompletableFuture.runAsync(
                    () -> HijackedExec.run(host, apiVersion, execId, stdin, out, err, open::set), WORKERS);
            try {
                run.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                finished = true;
            } catch (TimeoutException e) {
                finished = false;
                closeQuietly(open.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof BottleException be
                        ? be
                        : new BottleException(
                                "cannot run " + argv.get(0) + " in " + container + " (" + e.getCause() + ")",
                                e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(open.get());
                throw new BottleException("interrupted while running " + argv.get(0) + " in " + container, e);
            }
        } else {
            ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame f) {
                    try {
                        OutputStream to = f.getStreamType() == StreamType.STDERR ? err : out;
                        to.write(f.getPayload());
                        to.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            var start = client.execStartCmd(execId);
            if (stdin != null) {
                start.withStdIn(stdin);
            }
            try {
                finished = start.exec(cb).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BottleException("interrupted while running " + argv.get(0) + " in " + container, e);
            }
            if (!finished) {
                closeQuietly(cb);
            }
        }
        return new StreamOutcome(finished, finished ? exitCode(execId, 200) : -1);
    }

    private static void closeQuietly(@Nullable AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // abandoned either way
            }
        }
    }

    /**
     * How a streamed exec ended.
     *
     * @param finished whether it finished within the timeout
     * @param exitCode its exit code; -1 when it did not finish
     */
    public record StreamOutcome(boolean finished, int exitCode) {}

    private String createExec(
            String container,
            List<String> argv,
            @Nullable String user,
            @Nullable String workdir,
            List<String> env,
            boolean stdin,
            boolean tty) {
        var create = client.execCreateCmd(container)
                .withCmd(argv.toArray(String[]::new))
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withAttachStdin(stdin)
                .withTty(tty)
                .withEnv(env);
        if (user != null) {
            create.withUser(user);
        }
        if (workdir != null) {
            create.withWorkingDir(workdir);
        }
        try {
            return create.exec().getId();
        } catch (ConflictException e) {
            throw new BottleException("cannot run " + argv.get(0) + " in " + container + ": it is not running", e);
        } catch (NotFoundException e) {
            throw new BottleException("cannot run " + argv.get(0) + " in " + container + ": no such container", e);
        }
    }

    /** Reads a finished exec's exit code; the engine may report "running" for a few ms after the stream ends. */
    private int exitCode(String execId, int attempts) {
        Long code = null;
        for (int i = 0; i < attempts && code == null; i++) {
            var inspect = client.inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(inspect.isRunning())) {
                code = inspect.getExitCodeLong();
            }
            if (code == null) {
                sleep(5);
            }
        }
        return code == null ? -1 : code.intValue();
    }

    /**
     * How an exec ended.
     *
     * @param finished whether it finished within the timeout
     * @param result its result; exit code -1 when it did not finish
     */
    public record ExecOutcome(boolean finished, ExecResult result) {}

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One container found by label.
     *
     * @param id the id
     * @param name the name, without {@code /}
     * @param labels its labels
     * @param running whether it runs
     */
    public record ContainerRef(String id, String name, Map<String, String> labels, boolean running) {}

    /**
     * Lists containers (running or not) carrying all the given labels.
     *
     * @param labels the labels to match
     * @return the containers
     */
    public List<ContainerRef> containers(Map<String, String> labels) {
        List<ContainerRef> out = new ArrayList<>();
        for (Container c : client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(labels)
                .exec()) {
            String name = c.getNames() == null || c.getNames().length == 0
                    ? c.getId()
                    : c.getNames()[0].replaceFirst("^/", "");
            out.add(new ContainerRef(
                    c.getId(), name, c.getLabels() == null ? Map.of() : c.getLabels(), "running".equals(c.getState())));
        }
        return out;
    }

    /**
     * One network found by label.
     *
     * @param id the id
     * @param name the name
     * @param labels its labels
     */
    public record NetworkRef(String id, String name, Map<String, String> labels) {}

    /**
     * Lists networks carrying all the given labels.
     *
     * @param labels the labels to match
     * @return the networks
     */
    public List<NetworkRef> networks(Map<String, String> labels) {
        List<String> filter = labels.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.toList());
        List<NetworkRef> out = new ArrayList<>();
        for (Network n : client.listNetworksCmd().withFilter("label", filter).exec()) {
            Map<String, String> l = n.getLabels() == null ? Map.of() : n.getLabels();
            if (l.entrySet().containsAll(labels.entrySet())) {
                out.add(new NetworkRef(n.getId(), n.getName(), l));
            }
        }
        return out;
    }

    /**
     * Stops a container the way {@code docker stop} does: SIGTERM, then SIGKILL after the grace.
     *
     * @param container the container
     * @param graceSeconds seconds between the two
     * @return the container's exit code
     */
    public int stop(String container, int graceSeconds) {
        try {
            client.stopContainerCmd(container).withTimeout(graceSeconds).exec();
            Long code = client.inspectContainerCmd(container).exec().getState().getExitCodeLong();
            return code == null ? -1 : code.intValue();
        } catch (DockerException e) {
            throw new BottleException("cannot stop " + container + ": " + e.getMessage(), e);
        }
    }

    /** How a wait on a container's log ended. */
    public enum LogWait {
        /** A line with the marker appeared. */
        FOUND,
        /** A line with the failure marker appeared, or the log ended (the container stopped). */
        FAILED,
        /** Neither within the time allowed. */
        TIMED_OUT
    }

    /**
     * Follows a container's log from its start until a line contains {@code marker} (success), a
     * line contains {@code failure} or the log ends (the container exited), or time runs out.
     *
     * @param container the container
     * @param marker the text of the readiness line
     * @param failure the text of a failure line
     * @param timeout how long to wait
     * @return how the wait ended
     */
    public LogWait awaitLogLine(String container, String marker, String failure, Duration timeout) {
        CompletableFuture<LogWait> result = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame f) {
                partial.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 1);
                    if (line.contains(marker)) {
                        result.complete(LogWait.FOUND);
                    } else if (line.contains(failure)) {
                        result.complete(LogWait.FAILED);
                    }
                }
            }

            @Override
            public void onComplete() {
                result.complete(partial.toString().contains(marker) ? LogWait.FOUND : LogWait.FAILED);
                super.onComplete();
            }

            @Override
            public void onError(Throwable t) {
                result.complete(LogWait.FAILED);
                super.onError(t);
            }
        };
        try {
            client.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true)
                    .exec(cb);
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return LogWait.TIMED_OUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LogWait.TIMED_OUT;
        } catch (ExecutionException | RuntimeException e) {
            return LogWait.FAILED;
        } finally {
            try {
                cb.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing a log stream failed", e);
            }
        }
    }

    /**
     * Returns a local image's labels.
     *
     * @param ref the image
     * @return its labels, or empty when the engine lacks the image
     */
    public Optional<Map<String, String>> imageLabels(String ref) {
        try {
            var cfg = client.inspectImageCmd(ref).exec().getConfig();
            Map<String, String> labels = cfg == null || cfg.getLabels() == null ? Map.of() : cfg.getLabels();
            return Optional.of(Map.copyOf(labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new BottleException("cannot inspect image " + ref + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the last lines of a container's log, for failure messages.
     *
     * @param container the container
     * @param lines how many
     * @return the lines, or an empty string when unavailable
     */
    public String logTail(String container, int lines) {
        StringBuilder sb = new StringBuilder();
        try {
            client.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame f) {
                            sb.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            return "";
        }
        return sb.toString().strip();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the docker client failed", e);
        }
    }

    /**
     * Returns the engine address a {@code DOCKER_HOST} value names, for messages.
     *
     * @param dockerHost the value, or null
     * @return the address
     */
    public static String describe(@Nullable String dockerHost) {
        return dockerHost == null ? "unix:///var/run/docker.sock" : dockerHost;
    }
}
