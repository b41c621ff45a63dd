package dev.bottles.bundle;

import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.EgressConfig;
import dev.bottles.sidecars.SidecarBundle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A bundle started for a warm pool: the JVM is up and its daemons' classes are loaded, but no
 * daemon runs and it holds no secret until the SDK claims it and writes the bottle's environment
 * to {@value SidecarBundle#AWAIT_FILE}. The file appears whole (the SDK renames it into place);
 * each of its lines is {@code NAME=value}, and its values win over the container's environment.
 */
final class WarmStart {
    /** How often the file is looked for when no change event arrives. */
    static final Duration POLL = Duration.ofMillis(25);

    private WarmStart() {}

    /**
     * Waits for the claim and returns the environment the bundle starts with.
     *
     * @param file the file to wait for
     * @param base the container's environment
     * @param log the log, which gets {@code bundle-warm} once waiting
     * @return the container's environment with the claim's on top
     * @throws IllegalStateException when the file cannot be read or a line is not {@code NAME=value}
     */
    static Map<String, String> await(Path file, Map<String, String> base, BundleLog log) {
        preload();
        log.event("bundle", "bundle-warm", Map.of("awaiting", file.toString()));
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            Path dir = file.getParent();
            if (dir != null && Files.isDirectory(dir)) {
                // a rename into the directory is a create to the watch service
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            }
            while (!Files.isRegularFile(file)) {
                var key = watch.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException | ClosedWatchServiceException e) {
            throw new IllegalStateException("cannot watch for " + file + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + file, e);
        }
        Map<String, String> env = new LinkedHashMap<>(base);
        env.putAll(parse(file));
        env.remove(SidecarBundle.AWAIT_ENV);
        log.event("bundle", "claimed", Map.of());
        return env;
    }

    static Map<String, String> parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the claim " + file + " (" + e + ")", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || !line.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                // never echo the line: it may hold a secret
                throw new IllegalStateException("line " + n + " of the claim " + file + " is not NAME=value");
            }
            out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return out;
    }

    /**
     * Loads the classes every daemon start needs and runs egress once, on loopback with a
     * throwaway CA, through one refused request: class initialisation, the TLS provider and Netty's
     * first pipeline are paid now, not by the claim. Best effort; the real start reports its own
     * failures.
     */
    private static void preload() {
        for (Class<?> c : new Class<?>[] {GitGateDaemon.class, SuperviseServer.class, PushPolicy.class}) {
            try {
                Class.forName(c.getName(), true, WarmStart.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // the real start says so
            }
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("bundle-rehearsal");
            CertificateAuthority.mint("rehearsal", Clock.systemUTC())
                    .writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
            Files.writeString(
                    dir.resolve("routes.yaml"),
                    new EgressConfig(List.of(), List.of(EgressRoute.to("rehearsal.invalid"))).render("rehearsal"));
            BundleLog quiet = (daemon, event, fields) -> {};
            try (EgressProxy egress = EgressProxy.start(
                    EgressOptions.builder(dir.resolve("routes.yaml"), dir.resolve("ca.pem"), dir.resolve("ca-key.pem"))
                            .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                            .tokens(k -> null)
                            .accessToken("rehearsal")
                            .log(quiet)
                            .build())) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), egress.port())) {
                    s.setSoTimeout(2000);
                    s.getOutputStream()
                            .write("GET http://rehearsal.invalid/ HTTP/1.1\r\nHost: rehearsal.invalid\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(new byte[256]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a rehearsal that fails costs the claim some time, nothing more
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // /tmp goes with the container
                }
            }
        }
    }
}
