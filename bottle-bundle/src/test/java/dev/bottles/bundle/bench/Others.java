package dev.bottles.bundle.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The proxies a user would run instead of egress, started on loopback for the benchmark when the
 * machine has them (Debian's {@code squid} and {@code mitmproxy}): Squid as a plain CONNECT tunnel,
 * mitmdump as a TLS-intercepting proxy that reads every request. Each listens on 127.0.0.1 only and
 * is stopped when the benchmark ends.
 */
final class Others {
    /** A running mitmdump: its port and the CA its leaves come from. */
    record Mitm(int port, X509Certificate ca) {}

    private Others() {}

    static @Nullable Integer squid(Path dir, List<Process> started) throws Exception {
        Path bin = Path.of("/usr/sbin/squid");
        if (!Files.isExecutable(bin)) {
            System.out.println("(squid not installed: apt-get install squid to compare with it)");
            return null;
        }
        int port = freePort();
        Path d = Files.createDirectories(dir.resolve("squid"));
        d.toFile().setWritable(true, false);
        Path conf = d.resolve("squid.conf");
        Files.writeString(
                conf,
                String.join(
                                "\n",
                                "http_port 127.0.0.1:" + port,
                                "http_access allow all",
                                "cache deny all",
                                "access_log none",
                                "cache_log " + d.resolve("cache.log"),
                                "pid_filename " + d.resolve("squid.pid"),
                                "coredump_dir " + d,
                                "shutdown_lifetime 0 seconds",
                                "")
                        + "\n");
        Process p = new ProcessBuilder(bin.toString(), "-N", "-f", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(d.resolve("out.log").toFile())
                .start();
        started.add(p);
        return await(port, p, "squid") ? port : null;
    }

    static @Nullable Mitm mitmproxy(Path dir, List<Process> started) throws Exception {
        Path bin = Path.of("/usr/bin/mitmdump");
        if (!Files.isExecutable(bin)) {
            System.out.println("(mitmproxy not installed: apt-get install mitmproxy to compare with it)");
            return null;
        }
        int port = freePort();
        Path conf = Files.createDirectories(dir.resolve("mitm"));
        Process p = new ProcessBuilder(
                        bin.toString(),
                        "--listen-host",
                        "127.0.0.1",
                        "--listen-port",
                        String.valueOf(port),
                        "--set",
                        "confdir=" + conf,
                        "--ssl-insecure",
                        "-q")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mitm.log").toFile())
                .start();
        started.add(p);
        if (!await(port, p, "mitmdump")) {
            return null;
        }
        Path ca = conf.resolve("mitmproxy-ca-cert.pem");
        for (int i = 0; i < 100 && !Files.exists(ca); i++) {
            Thread.sleep(100);
        }
        X509Certificate cert;
        try (var in = Files.newInputStream(ca)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        return new Mitm(port, cert);
    }

    private static boolean await(int port, Process p, String what) throws InterruptedException {
        for (int i = 0; i < 150; i++) {
            if (!p.isAlive()) {
                System.out.println("(" + what + " exited; not compared)");
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        System.out.println("(" + what + " did not listen; not compared)");
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
