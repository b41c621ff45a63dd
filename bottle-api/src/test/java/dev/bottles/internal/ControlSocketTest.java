package dev.bottles.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bottles.BottleException;
import dev.bottles.spi.BottlePlan;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launching program's door for operators: who may knock, what it answers, and what it survives. */
class ControlSocketTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private final AtomicInteger stops = new AtomicInteger();

    private StateDir state() {
        return new StateDir(tmp.resolve("state").resolve("dev-abcde"), "dev-abcde").create();
    }

    private ControlSocket.Owner owner(Map<String, String> forwarded) {
        return new ControlSocket.Owner() {
            @Override
            public BottlePlan plan() {
                return new BottlePlan() {
                    @Override
                    public String identity() {
                        return "dev-abcde";
                    }

                    @Override
                    public String backendId() {
                        return "test";
                    }

                    @Override
                    public String agentName() {
                        return "dev";
                    }

                    @Override
                    public Path stateDir() {
                        return tmp.resolve("state").resolve("dev-abcde");
                    }

                    @Override
                    public String toJson() {
                        return "{}";
                    }
                };
            }

            @Override
            public Map<String, String> forwarded() {
                return forwarded;
            }

            @Override
            public void stop() {
                if (stops.incrementAndGet() > 1) {
                    throw new BottleException("already stopped");
                }
            }
        };
    }

    @Test
    void answersHelloEnvAndStopOnAPrivateSocket() throws Exception {
        StateDir s = state();
        try (ControlSocket c =
                ControlSocket.open(s, owner(Map.of("GITEA_TOKEN", "gt-1"))).orElseThrow()) {
            Path p = c.socket();
            assertEquals(SecureFiles.PRIVATE_FILE, Files.getPosixFilePermissions(p), "only its user may connect");
            assertEquals(
                    "dev-abcde",
                    ControlSocket.call(p, "hello", T)
                            .orElseThrow()
                            .path("identity")
                            .asText());
            assertEquals(
                    "gt-1",
                    ControlSocket.call(p, "env", T)
                            .orElseThrow()
                            .path("env")
                            .path("GITEA_TOKEN")
                            .asText());
            assertTrue(ControlSocket.call(p, "stop", T).isPresent());
            assertEquals(1, stops.get());
            BottleException twice = assertThrows(BottleException.class, () -> ControlSocket.call(p, "stop", T));
            assertTrue(twice.getMessage().contains("already stopped"), twice.getMessage());
            BottleException unknown = assertThrows(BottleException.class, () -> ControlSocket.call(p, "exec", T));
            assertTrue(unknown.getMessage().contains("use hello, env or stop"), unknown.getMessage());
        }
        assertFalse(Files.exists(ControlSocket.path(s)), "closing removes the socket");
        assertTrue(ControlSocket.call(ControlSocket.path(s), "hello", T).isEmpty(), "nothing answers any more");
    }

    @Test
    void aSocketLeftByADeadProgramIsReplacedButALiveOneIsNeverTaken() throws Exception {
        StateDir s = state();
        Path p = ControlSocket.path(s);
        // a dead program's socket: bound, then its server gone
        var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(p));
        dead.close();
        assertTrue(Files.exists(p));
        try (ControlSocket first = ControlSocket.open(s, owner(Map.of())).orElseThrow()) {
            assertEquals(p, first.socket());
            assertTrue(ControlSocket.call(p, "hello", T).isPresent(), "the dead socket was replaced");
            assertTrue(ControlSocket.open(s, owner(Map.of("X", "y"))).isEmpty(), "a live owner keeps its socket");
            assertTrue(ControlSocket.call(p, "env", T).orElseThrow().path("env").isEmpty(), "and still answers");
        }
    }

    @Test
    void slowHugeAndGarbledClientsNeitherBlockOthersNorGetAnAnswer() throws Exception {
        StateDir s = state();
        try (ControlSocket c = ControlSocket.open(s, owner(Map.of("K", "v"))).orElseThrow()) {
            Path p = c.socket();
            List<SocketChannel> stalled = new ArrayList<>();
            for (int i = 0; i < 12; i++) { // more than the connections it serves at once
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(p));
                ch.write(ByteBuffer.wrap("{\"op\":".getBytes(StandardCharsets.UTF_8)));
                stalled.add(ch);
            }
            // the stalled ones lose their connections after a few seconds; then others are served
            long t0 = System.nanoTime();
            JsonNode hello = null;
            while (hello == null
                    && System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos()) {
                hello = ControlSocket.call(p, "hello", Duration.ofSeconds(2)).orElse(null);
            }
            assertTrue(hello != null, "served once the stalled clients timed out");
            for (SocketChannel ch : stalled) {
                assertFalse(read(ch).contains("ok"), "a client that never finished its line gets no answer");
                ch.close();
            }
            try (SocketChannel huge = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
                huge.write(ByteBuffer.wrap(("{\"op\":\"env\",\"pad\":\"" + "A".repeat(100_000) + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8)));
                String reply = read(huge);
                assertFalse(reply.contains("\"K\"") || reply.contains("\"ok\":true"), "refused: " + reply);
            }
            try (SocketChannel garbled = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
                garbled.write(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
                String reply = read(garbled);
                assertTrue(reply.contains("\"ok\":false") && !reply.contains("\"v\""), reply);
            }
        }
    }

    @Test
    void manyOperatorsAtOnceAreAllAnswered() throws Exception {
        StateDir s = state();
        try (ControlSocket c = ControlSocket.open(s, owner(Map.of("K", "v"))).orElseThrow()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                assertTrue(ControlSocket.hello(c.socket(), T).isPresent());
            }
            System.out.printf(
                    "control socket: %.2f ms per hello, one after another (200)%n",
                    (System.nanoTime() - t0) / 1e6 / 200);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Boolean>> asks = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                asks.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 50; attempt++) {
                        if (ControlSocket.call(c.socket(), "env", T).isPresent()) {
                            return true;
                        }
                        Thread.sleep(20);
                    }
                    return false;
                }));
            }
            for (Future<Boolean> f : asks) {
                assertTrue(f.get());
            }
            pool.shutdown();
        }
    }

    private static String read(SocketChannel ch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        StringBuilder sb = new StringBuilder();
        try {
            while (ch.read(b) > 0) {
                b.flip();
                sb.append(StandardCharsets.UTF_8.decode(b));
                b.clear();
            }
        } catch (SocketException reset) {
            sb.append("(reset)"); // it stopped reading what it refused
        }
        return sb.toString();
    }
}
