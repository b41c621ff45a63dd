package dev.bottles.dockerengine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.bottles.BottleException;
import dev.bottles.ExecResult;
import dev.bottles.spi.Subnet;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Task-level verbs over one docker-java client. This facade and the resource classes it delegates
 * to ({@code EngineNetworks}, {@code EngineContainers}, {@code EngineImages}, {@code EngineExec},
 * {@code EngineLogs}), as docker-java's own client delegates to its {@code core/exec} classes, are
 * the only code that touches docker-java. Missing things are success where teardown needs
 * idempotency; engine errors become {@link BottleException}s that say what was attempted.
 */
public final class DockerEngine implements Closeable {
    private static final System.Logger LOG = System.getLogger(DockerEngine.class.getName());
    private static final int MAX_CONNECTIONS = 64;
    static final int ENDPOINT_RETRIES = 20;
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
    private final EngineNetworks networks;
    private final EngineContainers containers;
    private final EngineImages images;
    private final EngineExec execs;
    private final EngineLogs logs;

    /**
     * Wraps a client.
     *
     * @param client the docker-java client
     * @param host where it points, for messages
     */
    DockerEngine(DockerClient client, String host) {
        this.client = client;
        this.host = host;
        this.networks = new EngineNetworks(this, client);
        this.containers = new EngineContainers(this, client);
        this.images = new EngineImages(this, client);
        this.execs = new EngineExec(this, client);
        this.logs = new EngineLogs(this, client);
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

    @Nullable
    String apiVersion() {
        return apiVersion;
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
        return networks.createNetwork(name, subnet, internal, labels);
    }

    /**
     * Removes a network; a missing one is success, one with active endpoints is logged and kept.
     *
     * @param nameOrId the network
     * @return true when it was removed
     */
    public boolean removeNetwork(String nameOrId) {
        return networks.removeNetwork(nameOrId);
    }

    /**
     * Creates a container.
     *
     * @param spec what to create
     * @return its id
     * @throws BottleException when the name is taken, the image is missing, or the engine refuses
     */
    public String createContainer(ContainerSpec spec) {
        return containers.createContainer(spec);
    }

    /**
     * Connects a container to another network.
     *
     * @param container the container
     * @param network the network
     * @param aliases its aliases there
     */
    public void connect(String container, String network, List<String> aliases) {
        containers.connect(container, network, aliases);
    }

    /**
     * Starts a container.
     *
     * @param container the container
     * @throws BottleException when it does not start (a pinned IP outside its subnet fails here)
     */
    public void start(String container) {
        containers.start(container);
    }

    /**
     * Removes a container, stopping it first; a missing one is success.
     *
     * @param container the container
     * @return true when it was removed
     */
    public boolean removeContainer(String container) {
        return containers.removeContainer(container);
    }

    /**
     * Tells whether a container exists.
     *
     * @param nameOrId the container
     * @return true when it exists
     */
    public boolean containerExists(String nameOrId) {
        return containers.containerExists(nameOrId);
    }

    /**
     * Returns a container's environment as the engine records it.
     *
     * @param container the container
     * @return its {@code NAME=value} entries
     */
    public List<String> containerEnv(String container) {
        return containers.containerEnv(container);
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
        return containers.lockdown(container);
    }

    /**
     * Returns a running container's memory use as the engine's stats report it (cache excluded,
     * as {@code docker stats} shows it).
     *
     * @param container the container
     * @return bytes in use
     */
    public long memoryUsage(String container) {
        return containers.memoryUsage(container);
    }

    /**
     * Returns a container's address on each network.
     *
     * @param container the container
     * @return network name to IPv4 address
     */
    public Map<String, String> containerAddresses(String container) {
        return containers.containerAddresses(container);
    }

    /**
     * Returns the host port a container port is published on.
     *
     * @param container the container
     * @param port the container port
     * @return the host port, if published
     */
    public Optional<Integer> hostPort(String container, int port) {
        return containers.hostPort(container, port);
    }

    /**
     * Tells whether a local image exists.
     *
     * @param ref the image
     * @return true when the engine has it
     */
    public boolean imageExists(String ref) {
        return images.imageExists(ref);
    }

    /**
     * Gives an image another name.
     *
     * @param ref the image
     * @param repository the new repository, e.g. {@code registry.example/team/claude-bottle}
     * @param tag the new tag
     * @throws BottleException when the engine refuses
     */
    public void tag(String ref, String repository, String tag) {
        images.tag(ref, repository, tag);
    }

    /**
     * Pushes an image to its registry with the engine's credentials for it (from the engine client's
     * configuration, as {@code docker push} has them).
     *
     * @param repository the repository
     * @param tag the tag
     * @param progress receives status lines
     * @throws BottleException when the push fails, with the registry's reason
     */
    public void push(String repository, String tag, Consumer<String> progress) {
        images.push(repository, tag, progress);
    }

    /**
     * Removes an image; a missing one is success.
     *
     * @param ref the image
     */
    public void removeImage(String ref) {
        images.removeImage(ref);
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
        return images.build(context, dockerfile, tag, labels, progress);
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
        return images.buildTar(tar, dockerfile, tag, labels, progress);
    }

    /**
     * Copies a tar archive into a container.
     *
     * @param container the container
     * @param remotePath the directory the archive is unpacked into
     * @param tar the archive
     */
    public void copyTar(String container, String remotePath, InputStream tar) {
        containers.copyTar(container, remotePath, tar);
    }

    /**
     * Copies a path out of a container, running or stopped, as a tar archive.
     *
     * @param container the container
     * @param path the file or directory
     * @return the archive; the caller closes it
     */
    public InputStream copyFrom(String container, String path) {
        return containers.copyFrom(container, path);
    }

    /**
     * Runs a command in a running container and waits for it.
     *
     * @param command what to run, where and as whom
     * @param timeout how long to wait
     * @return the outcome; when it did not finish in time, what it printed so far (the caller stops it)
     */
    public ExecOutcome exec(Command command, Duration timeout) {
        return execs.exec(command, timeout);
    }

    /**
     * Runs a command attached to streams: {@code stdin} is copied in as the command reads it, its
     * output is written out as it comes. With {@code tty} the engine allocates a terminal (output
     * then arrives as one stream).
     *
     * @param command what to run, where and as whom
     * @param tty whether to allocate a terminal (stdout then carries everything)
     * @param io what the command reads and where its output goes
     * @param started receives the exec's id once it runs (to {@link #resizeExec} its terminal)
     * @return the exit code
     */
    public int attach(Command command, boolean tty, Streams io, Consumer<String> started) {
        return execs.attach(command, tty, io, started);
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
        return execs.resizeExec(execId, columns, rows);
    }

    /**
     * Runs a command with its output delivered as it comes and, optionally, input that ends: with
     * {@code stdin}, the exec runs on the engine's raw connection ({@link HijackedExec}) so the command
     * sees the input's end; without, through docker-java.
     *
     * @param command what to run, where and as whom
     * @param io what the command reads and where its output goes
     * @param timeout how long to wait
     * @return whether it finished in time, and its exit code (-1 when it did not)
     */
    public StreamOutcome stream(Command command, Streams io, Duration timeout) {
        return execs.stream(command, io, timeout);
    }

    /**
     * A command to run in a container: where, what, as whom, in which directory, with what extra
     * environment.
     *
     * @param container the container's name or id
     * @param argv the command and its arguments (not run through a shell)
     * @param user the user, or null for the container's
     * @param workdir the directory, or null for the container's
     * @param env extra {@code NAME=value} entries for this command only
     */
    public record Command(
            String container,
            List<String> argv,
            @Nullable String user,
            @Nullable String workdir,
            List<String> env) {
        /**
         * Copies the lists.
         *
         * @param container the container's name or id
         * @param argv the command and its arguments (not run through a shell)
         * @param user the user, or null for the container's
         * @param workdir the directory, or null for the container's
         * @param env extra {@code NAME=value} entries for this command only
         */
        public Command {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("a command needs a program");
            }
        }

        /**
         * Runs a command as the container's user, in its directory, with no extra environment.
         *
         * @param container the container's name or id
         * @param argv the command and its arguments
         * @return the command
         */
        public static Command in(String container, List<String> argv) {
            return new Command(container, argv, null, null, List.of());
        }

        /**
         * Returns the program's name, for messages.
         *
         * @return {@code argv[0]}
         */
        public String program() {
            return argv.get(0);
        }
    }

    /**
     * Where a command's input comes from and its output goes, as it runs.
     *
     * @param stdin what the command reads (copied in as it reads, closed at its end), or null for
     *     nothing
     * @param out where its standard output goes
     * @param err where its standard error goes
     */
    public record Streams(@Nullable InputStream stdin, OutputStream out, OutputStream err) {}

    /**
     * How a streamed exec ended.
     *
     * @param finished whether it finished within the timeout
     * @param exitCode its exit code; -1 when it did not finish
     */
    public record StreamOutcome(boolean finished, int exitCode) {}

    /**
     * How an exec ended.
     *
     * @param finished whether it finished within the timeout
     * @param result its result; exit code -1 when it did not finish
     */
    public record ExecOutcome(boolean finished, ExecResult result) {}

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
        return containers.containers(labels);
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
        return networks.networks(labels);
    }

    /**
     * Stops a container the way {@code docker stop} does: SIGTERM, then SIGKILL after the grace.
     *
     * @param container the container
     * @param graceSeconds seconds between the two
     * @return the container's exit code
     */
    public int stop(String container, int graceSeconds) {
        return containers.stop(container, graceSeconds);
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
        return logs.awaitLogLine(container, marker, failure, timeout);
    }

    /**
     * Returns a local image's labels.
     *
     * @param ref the image
     * @return its labels, or empty when the engine lacks the image
     */
    public Optional<Map<String, String>> imageLabels(String ref) {
        return images.imageLabels(ref);
    }

    /**
     * Returns the last lines of a container's log, for failure messages.
     *
     * @param container the container
     * @param lines how many
     * @return the lines, or an empty string when unavailable
     */
    public String logTail(String container, int lines) {
        return logs.logTail(container, lines);
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
