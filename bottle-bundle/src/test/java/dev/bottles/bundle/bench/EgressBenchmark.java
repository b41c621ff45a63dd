package dev.bottles.bundle.bench;

import dev.bottles.bundle.EgressOptions;
import dev.bottles.bundle.EgressProxy;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.sidecars.CertificateAuthority;
import dev.bottles.sidecars.EgressConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Egress's cost on loopback, measured in one run against a direct connection to the same upstream:
 * per-request latency (p50, p99) over a kept-alive connection and requests per second with several
 * connections, for a direct TLS connection, a spliced tunnel through egress ({@code tls:
 * passthrough}), an inspected host (TLS terminated, every request scanned for the bottle's secrets,
 * re-encrypted: the default) and a credential route (inspected, token injected); plus the setup time
 * of a new connection each way, 1 MiB request bodies on a kept-alive connection, and a 64 MiB
 * download. The upstream is a minimal keep-alive HTTPS responder so it adds as little as possible.
 *
 * <p>Run with {@code bottle-bundle/bench.sh [requests] [seconds]}.
 */
public final class EgressBenchmark {
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    private EgressBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args requests per latency run (default 5000), seconds per throughput run (default 5)
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("egress-bench-");
        CertificateAuthority egressCa = CertificateAuthority.mint("bench egress CA", Clock.systemUTC());
        egressCa.writeTo(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        CertificateAuthority upstreamCa = CertificateAuthority.mint("bench upstream CA", Clock.systemUTC());
        Files.writeString(dir.resolve("extra-ca.pem"), upstreamCa.certificatePem());
        Files.writeString(
                dir.resolve("routes.yaml"),
                new EgressConfig(
                                List.of(),
                                List.of(
                                        EgressRoute.to("api.bench.test").withAuth(RouteAuth.bearer("BENCH_TOKEN")),
                                        EgressRoute.to("www.bench.test").passthrough(),
                                        EgressRoute.to("open.bench.test")))
                        .render("bench"));
        SSLContext serverTls = serverContext(upstreamCa.issue(
                List.of("api.bench.test", "www.bench.test", "open.bench.test"), Duration.ofDays(1), Clock.systemUTC()));
        SSLContext clientTls = clientContext(egressCa, upstreamCa);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench-upstream");
            t.setDaemon(true);
            return t;
        });
        SSLServerSocket upstream = (SSLServerSocket)
                serverTls.getServerSocketFactory().createServerSocket(0, 256, InetAddress.getLoopbackAddress());
        pool.submit(() -> serve(upstream, pool, stop));
        int up = upstream.getLocalPort();
        List<Process> others = new ArrayList<>();
        String childJvm = System.getProperty("egress.jvm");
        String image = System.getProperty("egress.image");
        Process child = null;
        EgressMemory.Container container = null;
        try (EgressProxy inProcess = childJvm == null && image == null
                ? EgressProxy.start(options(dir, up).build())
                : null) {
            int proxy;
            EgressMemory memory = null;
            if (inProcess != null) {
                proxy = inProcess.port();
            } else if (image != null) {
                // the real bundle image, on a network of its own, published on 127.0.0.1 only; the
                // upstream answers it on that network's gateway, port 443
                container = EgressMemory.Container.start(image, dir);
                SSLServerSocket onGateway = (SSLServerSocket) serverTls
                        .getServerSocketFactory()
                        .createServerSocket(443, 256, InetAddress.getByName(container.gateway()));
                pool.submit(() -> serve(onGateway, pool, stop));
                container.awaitReady();
                proxy = container.port();
                memory = new EgressMemory(container.pid());
            } else {
                child = EgressMemory.startChild(childJvm, dir, up);
                proxy = EgressMemory.childPort(child);
                memory = new EgressMemory(child.pid());
            }
            System.out.printf(
                    Locale.ROOT,
                    "egress benchmark: %d requests per latency run, %d s per throughput run," + " %d cores, Java %s%n",
                    n,
                    seconds,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            List<Mode> all = new ArrayList<>(List.of(
                    new Mode("direct", () -> direct(clientTls, up, "www.bench.test")),
                    new Mode("spliced tunnel", () -> tunnel(clientTls, proxy, "www.bench.test:443", "www.bench.test")),
                    new Mode("inspected", () -> tunnel(clientTls, proxy, "open.bench.test:443", "open.bench.test")),
                    new Mode(
                            "credential injected",
                            () -> tunnel(clientTls, proxy, "api.bench.test:443", "api.bench.test"))));
            // what a user would run instead, side by side when installed: Squid for a CONNECT tunnel,
            // mitmproxy for a proxy that terminates TLS and sees every request
            boolean compare = !"false".equals(System.getProperty("egress.others"));
            Integer squid = compare ? Others.squid(dir, others) : null;
            if (squid != null) {
                all.add(new Mode("squid tunnel", () -> tunnel(clientTls, squid, "127.0.0.1:" + up, "www.bench.test")));
            }
            Others.Mitm mitm = compare ? Others.mitmproxy(dir, others) : null;
            if (mitm != null) {
                SSLContext mitmTls = clientContext(mitm.ca());
                all.add(new Mode("mitmproxy", () -> tunnel(mitmTls, mitm.port(), "127.0.0.1:" + up, "www.bench.test")));
            }
            Mode[] modes = all.toArray(Mode[]::new);
            if (memory != null) {
                memory.sample("after start, no traffic yet");
            }
            for (int round = 0; round < 2; round++) {
                for (Mode m : modes) {
                    latency(m, n / 10); // warm-up
                    setup(m, 20);
                }
            }
            double[] base = null;
            for (Mode m : modes) {
                double[] l = latency(m, n);
                double[] s = setup(m, Math.max(50, n / 50));
                double rps = throughput(m, 8, seconds);
                if (base == null) {
                    base = new double[] {l[0], l[1], s[0]};
                    System.out.printf(
                            Locale.ROOT,
                            "%-20s request p50 %7.1f us  p99 %7.1f us  | new connection p50 %7.1f"
                                    + " us | %8.0f req/s (8 connections)%n",
                            m.name,
                            l[0],
                            l[1],
                            s[0],
                            rps);
                } else {
                    System.out.printf(
                            Locale.ROOT,
                            "%-20s request p50 %7.1f us  p99 %7.1f us  (adds %+6.1f / %+6.1f us)"
                                    + " | new connection p50 %7.1f us (adds %+7.1f us) | %8.0f req/s (8 connections)%n",
                            m.name,
                            l[0],
                            l[1],
                            l[0] - base[0],
                            l[1] - base[1],
                            s[0],
                            s[0] - base[2],
                            rps);
                }
            }
            System.out.println("large bodies:");
            double[] bigBase = null;
            for (int round = 0; round < 2; round++) {
                for (Mode m : modes) {
                    latency(m, 50, body(1 << 20)); // warm-up, twice round so no mode pays for the compiler alone
                }
            }
            for (Mode m : modes) {
                double[] l = latency(m, Math.max(50, n / 25), body(1 << 20));
                double mbps = download(m, BIG_DOWNLOAD);
                double conc = throughput(m, 8, body(256 << 10), seconds);
                if (bigBase == null) {
                    bigBase = l;
                    System.out.printf(
                            Locale.ROOT,
                            "%-20s 1 MiB POST p50 %8.1f us  p99 %8.1f us | 128 MiB download %7.1f"
                                    + " MB/s | 256 KiB POSTs, 8 connections %6.0f req/s%n",
                            m.name,
                            l[0],
                            l[1],
                            mbps,
                            conc);
                } else {
                    System.out.printf(
                            Locale.ROOT,
                            "%-20s 1 MiB POST p50 %8.1f us  p99 %8.1f us (adds %+8.1f us) | 128 MiB"
                                    + " download %7.1f MB/s | 256 KiB POSTs, 8 connections %6.0f req/s%n",
                            m.name,
                            l[0],
                            l[1],
                            l[0] - bigBase[0],
                            mbps,
                            conc);
                }
            }
            System.out.println("64 connections at once, 256 KiB POSTs and 128 MiB downloads on each of 4 of them:");
            for (Mode m : modes) {
                if (!m.name.equals("spliced tunnel") && !m.name.equals("credential injected")) {
                    continue;
                }
                double rps = heavy(m, seconds);
                System.out.printf(Locale.ROOT, "%-20s %6.0f POSTs/s while downloading%n", m.name, rps);
                if (memory != null) {
                    memory.sample("right after 64 connections through the " + m.name);
                }
            }
            if (memory != null) {
                memory.settle();
                memory.report();
            }
        } finally {
            if (container != null) {
                container.remove();
            }
            if (child != null) {
                child.getOutputStream().close();
                child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                child.destroyForcibly();
            }
            stop.set(true);
            upstream.close();
            pool.shutdownNow();
            others.forEach(Process::destroyForcibly);
        }
    }

    /**
     * The options egress runs with in this benchmark, in process or in {@link EgressChild}.
     *
     * @param dir the directory with the routes, the CA and the upstream's CA
     * @param up the upstream's port, which every host resolves to
     * @return the options
     */
    static EgressOptions.Builder options(Path dir, int up) {
        return EgressOptions.builder(dir.resolve("routes.yaml"), dir.resolve("ca.pem"), dir.resolve("ca-key.pem"))
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .extraAnchors(List.of(dir.resolve("extra-ca.pem")))
                .tokens(k -> "bench-secret-value-0123456789")
                .secrets(Map.of(
                        "GITHUB_TOKEN",
                        "ghp_benchBENCHbench0123456789abcdefghijkl",
                        "DB_PASSWORD",
                        "correct-horse-battery-staple-42"))
                .resolver((h, p) -> new InetSocketAddress("127.0.0.1", up))
                .log((d, e, f) -> {});
    }

    /** The large download, over 100 MiB, each mode moves in one response. */
    static final long BIG_DOWNLOAD = 128L << 20;

    /**
     * 64 connections at once for {@code seconds}: 60 post 256 KiB bodies in a loop while 4 each
     * download {@link #BIG_DOWNLOAD}; returns the POSTs per second.
     */
    private static double heavy(Mode m, int seconds) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(4);
        List<Future<Double>> downloads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            downloads.add(ex.submit(() -> download(m, BIG_DOWNLOAD)));
        }
        double rps = throughput(m, 60, body(256 << 10), seconds);
        for (Future<Double> d : downloads) {
            d.get();
        }
        ex.shutdown();
        return rps;
    }

    /** A JSON-ish request body: what an agent posts, with no secret in it. */
    private static byte[] body(int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        while (sb.length() < size) {
            sb.append("{\"role\":\"user\",\"content\":\"please refactor the parser and add tests, line ")
                    .append(sb.length())
                    .append("\"},");
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static double download(Mode m, long size) throws IOException {
        try (SSLSocket s = m.opener().open()) {
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            out.write(
                    ("GET /big/" + size + " HTTP/1.1\r\nHost: " + s.getSession().getPeerHost() + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long t0 = System.nanoTime();
            readResponse(in);
            return size / ((System.nanoTime() - t0) / 1e9) / 1e6;
        }
    }

    private record Mode(String name, Opener opener) {}

    @FunctionalInterface
    private interface Opener {
        SSLSocket open() throws IOException;
    }

    private static double[] latency(Mode m, int n) throws IOException {
        return latency(m, n, new byte[0]);
    }

    /** Request latency over one kept-alive connection: a GET, or a POST of {@code body}. */
    private static double[] latency(Mode m, int n, byte[] body) throws IOException {
        long[] t = new long[n];
        try (SSLSocket s = m.opener().open()) {
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            byte[] head = head(s, body);
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                out.write(head);
                out.write(body);
                out.flush();
                readResponse(in);
                t[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(t);
        return new double[] {t[n / 2] / 1e3, t[(int) (n * 0.99)] / 1e3};
    }

    private static double[] setup(Mode m, int n) throws IOException {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (SSLSocket s = m.opener().open()) {
                s.getOutputStream().write(head(s, new byte[0]));
                readResponse(new BufferedInputStream(s.getInputStream()));
                t[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(t);
        return new double[] {t[n / 2] / 1e3};
    }

    private static double throughput(Mode m, int connections, int seconds) throws Exception {
        return throughput(m, connections, new byte[0], seconds);
    }

    /** Requests per second over several kept-alive connections: GETs, or POSTs of {@code body}. */
    private static double throughput(Mode m, int connections, byte[] body, int seconds) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(connections);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<Long>> fs = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            fs.add(ex.submit(() -> {
                long count = 0;
                try (SSLSocket s = m.opener().open()) {
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    byte[] head = head(s, body);
                    while (System.nanoTime() < end) {
                        out.write(head);
                        out.write(body);
                        out.flush();
                        readResponse(in);
                        count++;
                    }
                }
                return count;
            }));
        }
        long total = 0;
        for (Future<Long> f : fs) {
            total += f.get();
        }
        ex.shutdown();
        return total / (double) seconds;
    }

    /** The head of a GET (no body) or of a POST of {@code body}, with the placeholder credential an agent sends. */
    private static byte[] head(SSLSocket s, byte[] body) {
        String host = s.getSession().getPeerHost();
        return (body.length == 0
                        ? "GET /bench HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer placeholder\r\n\r\n"
                        : "POST /bench HTTP/1.1\r\nHost: " + host
                                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static SSLSocket direct(SSLContext tls, int port, String host) throws IOException {
        Socket raw = new Socket("127.0.0.1", port);
        raw.setTcpNoDelay(true);
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, 443, true);
        s.startHandshake();
        return s;
    }

    private static SSLSocket tunnel(SSLContext tls, int proxy, String target, String host) throws IOException {
        Socket raw = new Socket("127.0.0.1", proxy);
        raw.setTcpNoDelay(true);
        raw.getOutputStream()
                .write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        InputStream in = raw.getInputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("proxy closed during CONNECT");
            }
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, 443, true);
        s.startHandshake();
        return s;
    }

    private static void readResponse(InputStream in) throws IOException {
        int matched = 0;
        StringBuilder head = new StringBuilder();
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            head.append((char) b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        int len = 0;
        for (String l : head.toString().split("\r\n")) {
            if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                len = Integer.parseInt(l.substring(15).strip());
            }
        }
        if (!head.toString().startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + head);
        }
        in.skipNBytes(len);
    }

    private static void serve(ServerSocket server, ExecutorService pool, AtomicBoolean stop) {
        while (!stop.get()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                pool.submit(() -> {
                    try (s;
                            InputStream in = new BufferedInputStream(s.getInputStream());
                            OutputStream out = s.getOutputStream()) {
                        int matched = 0;
                        int b;
                        StringBuilder head = new StringBuilder();
                        while ((b = in.read()) >= 0) {
                            head.append((char) b);
                            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                            if (matched == 4) {
                                long len = 0;
                                String first = head.substring(0, head.indexOf("\r\n"));
                                for (String l : head.toString().split("\r\n")) {
                                    if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                                        len = Long.parseLong(l.substring(15).strip());
                                    }
                                }
                                in.skipNBytes(len);
                                if (first.startsWith("GET /big/")) {
                                    long size = Long.parseLong(first.substring(9, first.indexOf(' ', 9)));
                                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n")
                                            .getBytes(StandardCharsets.US_ASCII));
                                    byte[] chunk = new byte[1 << 16];
                                    for (long sent = 0; sent < size; sent += chunk.length) {
                                        out.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
                                    }
                                } else {
                                    out.write(RESPONSE);
                                }
                                out.flush();
                                matched = 0;
                                head.setLength(0);
                            }
                        }
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static SSLContext serverContext(CertificateAuthority.Leaf leaf) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.privateKey(), new char[0], leaf.chain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        return c;
    }

    private static SSLContext clientContext(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    private static SSLContext clientContext(CertificateAuthority... cas) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < cas.length; i++) {
            ks.setCertificateEntry("ca" + i, cas[i].certificate());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }
}
