package dev.bottles.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bottles.BottleException;
import dev.bottles.spi.BottlePlan;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The launching program's door for an operator outside it: a unix socket, {@code control.sock} in
 * the bottle's state dir (the dir 0700, the socket 0600, so only the host user who launched the
 * bottle, or root, can connect; no bottle mounts that dir). One JSON line in, one JSON line out:
 * {@code hello} (who owns the bottle and its agent command), {@code env} (the forwarded values an
 * attach needs, which the SDK keeps nowhere but in the launching program's memory) and
 * {@code stop} (the program keeps the state, tears the runtime down, then answers).
 */
public final class ControlSocket implements AutoCloseable {
    /** The socket's file name in the state dir. */
    public static final String FILE = "control.sock";

    private static final System.Logger LOG = System.getLogger(ControlSocket.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REQUEST = 4096;
    private static final int MAX_CONNECTIONS = 8;
    private static final Duration REQUEST_TIME = Duration.ofSeconds(5);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bottle-control-timer");
        t.setDaemon(true);
        return t;
    });

    /** What the launching program answers. */
    public interface Owner {
        /**
         * Returns the plan the bottle runs, described by {@code hello}.
         *
         * @return the plan
         */
        BottlePlan plan();

        /**
         * Returns the values forwarded into the bottle's commands.
         *
         * @return name to value
         */
        Map<String, String> forwarded();

        /** Keeps the state, then tears the runtime down. */
        void stop();
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Owner owner;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private volatile boolean closed;

    private ControlSocket(Path path, ServerSocketChannel server, Owner owner) {
        this.path = path;
        this.server = server;
        this.owner = owner;
    }

    /**
     * Returns where a bottle's control socket is.
     *
     * @param state the bottle's state dir
     * @return the socket's path
     */
    public static Path path(StateDir state) {
        return state.path().resolve(FILE);
    }

    /**
     * Opens the socket and serves it on a daemon thread. A socket left by a program that died is
     * replaced; one whose program still answers is left alone (and nothing is served).
     *
     * @param state the bottle's state dir
     * @param owner what answers
     * @return the socket, or empty when it cannot be opened (the reason is logged)
     */
    public static Optional<ControlSocket> open(StateDir state, Owner owner) {
        Path p = path(state);
        try {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                if (call(p, "hello", Duration.ofMillis(500)).isPresent()) {
                    LOG.log(
                            Level.WARNING,
                            "another program answers for bottle " + state.identity() + " at " + p
                                    + "; not serving a second control socket");
                    return Optional.empty();
                }
                Files.delete(p);
            }
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(p));
                Files.setPosixFilePermissions(p, SecureFiles.PRIVATE_FILE);
            } catch (IOException | RuntimeException e) {
                server.close();
                Files.deleteIfExists(p);
                throw e;
            }
            ControlSocket socket = new ControlSocket(p, server, owner);
            Thread t = new Thread(socket::serve, "bottle-control-" + state.identity());
            t.setDaemon(true);
            t.start();
            return Optional.of(socket);
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "no control socket for bottle " + state.identity() + " (" + e + "); an operator"
                            + " can still stop it through its backend");
            return Optional.empty();
        }
    }

    /**
     * Returns where this socket is.
     *
     * @return its path
     */
    public Path socket() {
        return path;
    }

    private void serve() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "control socket " + path + " stopped: " + e);
                }
                return;
            }
            if (!slots.tryAcquire()) {
                quietly(c);
                continue;
            }
            Thread t = new Thread(
                    () -> {
                        try {
                            handle(c);
                        } finally {
                            quietly(c);
                            slots.release();
                        }
                    },
                    "bottle-control-request");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(SocketChannel c) {
        ObjectNode reply = JSON.createObjectNode();
        // a client that never finishes its line loses its connection, not a thread forever
        ScheduledFuture<?> guard = TIMER.schedule(() -> quietly(c), REQUEST_TIME.toMillis(), TimeUnit.MILLISECONDS);
        try {
            String request = readLine(c);
            guard.cancel(false);
            switch (JSON.readTree(request).path("op").asText("")) {
                case "hello" -> {
                    reply.put("ok", true);
                    BottlePlan plan = owner.plan();
                    reply.put("identity", plan.identity());
                    reply.put("backend", plan.backendId());
                    reply.put("pid", ProcessHandle.current().pid());
                    plan.agentCommand().forEach(reply.putArray("agent_command")::add);
                }
                case "env" -> {
                    reply.put("ok", true);
                    ObjectNode env = reply.putObject("env");
                    owner.forwarded().forEach(env::put);
                }
                case "stop" -> {
                    owner.stop();
                    reply.put("ok", true);
                }
                default -> reply.put("ok", false).put("error", "unknown op; use hello, env or stop");
            }
        } catch (IOException | RuntimeException e) {
            if (!c.isOpen()) {
                return;
            }
            reply.put("ok", false).put("error", String.valueOf(e.getMessage()));
        } finally {
            guard.cancel(false);
        }
        try {
            c.write(ByteBuffer.wrap((JSON.writeValueAsString(reply) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "control client left before its answer: " + e);
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(512);
        while (out.size() <= MAX_REQUEST) {
            b.clear();
            int n = c.read(b);
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                byte x = b.get(i);
                if (x == '\n') {
                    return out.toString(StandardCharsets.UTF_8);
                }
                out.write(x);
            }
        }
        if (out.size() > MAX_REQUEST) {
            throw new IOException("request longer than " + MAX_REQUEST + " bytes");
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Asks a bottle's launching program something.
     *
     * @param socket the control socket
     * @param op {@code hello}, {@code env} or {@code stop}
     * @param timeout how long to wait for the answer
     * @return the answer, or empty when nothing answers (no socket, its program gone, or too slow)
     * @throws BottleException when the program answers that it could not do it
     */
    public static Optional<JsonNode> call(Path socket, String op, Duration timeout) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ScheduledFuture<?> guard = TIMER.schedule(() -> quietly(c), timeout.toMillis(), TimeUnit.MILLISECONDS);
            String line;
            try {
                c.write(ByteBuffer.wrap(("{\"op\":\"" + op + "\"}\n").getBytes(StandardCharsets.UTF_8)));
                line = readLine(c);
            } finally {
                guard.cancel(false);
            }
            if (line.isEmpty()) {
                return Optional.empty();
            }
            JsonNode reply = JSON.readTree(line);
            if (!reply.path("ok").asBoolean(false)) {
                throw new BottleException("the program that launched the bottle could not " + op + " it: "
                        + reply.path("error").asText("no reason given"));
            }
            return Optional.of(reply);
        } catch (IOException e) {
            // nothing listens (its program is gone), or it took longer than the timeout
            return Optional.empty();
        }
    }

    /**
     * What a launching program says about its bottle.
     *
     * @param pid its process id
     * @param agentCommand the command that runs the bottle's agent
     */
    public record Hello(long pid, List<String> agentCommand) {
        /**
         * Copies.
         *
         * @param pid its process id
         * @param agentCommand the command that runs the bottle's agent
         */
        public Hello {
            agentCommand = List.copyOf(agentCommand);
        }
    }

    /**
     * Asks who owns a bottle.
     *
     * @param socket the control socket
     * @param timeout how long to wait
     * @return its owner's answer, or empty when nothing answers
     */
    public static Optional<Hello> hello(Path socket, Duration timeout) {
        return call(socket, "hello", timeout).map(r -> {
            List<String> argv = new ArrayList<>();
            r.path("agent_command").forEach(a -> argv.add(a.asText()));
            return new Hello(r.path("pid").asLong(-1), argv);
        });
    }

    /**
     * Asks a bottle's owner for the values it forwards into the bottle's commands.
     *
     * @param socket the control socket
     * @param timeout how long to wait
     * @return name to value; empty when nothing answers
     */
    public static Map<String, String> forwarded(Path socket, Duration timeout) {
        Map<String, String> out = new LinkedHashMap<>();
        call(socket, "env", timeout)
                .ifPresent(r -> r.path("env")
                        .properties()
                        .forEach(e -> out.put(e.getKey(), e.getValue().asText())));
        return out;
    }

    private static void quietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a control connection: " + e);
        }
    }

    /** Stops serving and removes the socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing " + path + ": " + e);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "removing " + path + ": " + e);
        }
    }
}
