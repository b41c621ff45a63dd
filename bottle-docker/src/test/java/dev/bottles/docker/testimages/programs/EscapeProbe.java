package dev.bottles.docker.testimages.programs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * What an agent would try, run inside the agent container. Prints one {@code key=value} result line
 * (then a body for {@code get}) and exits 0; the test reads the output.
 * <ul>
 *   <li>{@code get URL [--insecure] [Name=Value]...}: through {@code HTTPS_PROXY}, trusting
 *       {@code SSL_CERT_FILE} (or anything with {@code --insecure});
 *   <li>{@code front HOST:PORT SNI}: CONNECT to one host, then a TLS handshake naming another;
 *   <li>{@code tcp HOST PORT}: a direct connection, no proxy;
 *   <li>{@code resolve NAME}: a name lookup.
 * </ul>
 */
public final class EscapeProbe {
    private EscapeProbe() {}

    /**
     * Runs one probe.
     *
     * @param args the probe and its arguments
     * @throws Exception never on purpose; failures are printed
     */
    public static void main(String[] args) throws Exception {
        // the JDK sends Basic proxy credentials on CONNECT only when Basic is not in this list
        System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
        try {
            switch (args[0]) {
                case "get" -> get(args);
                case "front" -> front(args[1], args[2]);
                case "tcp" -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), 2000);
                        System.out.println("tcp=connected");
                    }
                }
                case "resolve" ->
                    System.out.println(
                            "resolve=" + InetAddress.getByName(args[1]).getHostAddress());
                case "mcp" -> mcp(args[1], args[2]);
                case "git-clone" -> {
                    try (Git g = Git.cloneRepository()
                            .setURI(args[1])
                            .setDirectory(new File(args[2]))
                            .call()) {
                        System.out.println("clone=ok "
                                + g.getRepository().resolve("refs/heads/main").name());
                    } catch (GitAPIException e) {
                        System.out.println("clone=failed " + rootMessage(e));
                    }
                }
                case "git-fetch" -> {
                    try (Git g = Git.open(new File(args[1]))) {
                        g.fetch().call();
                        System.out.println("fetch=ok "
                                + g.getRepository()
                                        .resolve("refs/remotes/origin/main")
                                        .name());
                    } catch (GitAPIException e) {
                        System.out.println("fetch=failed " + rootMessage(e));
                    }
                }
                case "git-push" -> gitPush(args);
                default -> System.out.println("error=unknown probe " + args[0]);
            }
        } catch (IOException | RuntimeException e) {
            System.out.println(args[0] + "=failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static InetSocketAddress proxy() {
        URI p = URI.create(System.getenv("HTTPS_PROXY"));
        return new InetSocketAddress(p.getHost(), p.getPort());
    }

    /** The proxy credential from {@code HTTPS_PROXY}'s user info, as a Proxy-Authorization value. */
    private static String proxyAuthorization() {
        String info = URI.create(System.getenv("HTTPS_PROXY")).getRawUserInfo();
        return info == null ? "" : "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers egress's 407 with the user info of {@code HTTPS_PROXY}, as any proxy-aware client does. */
    private static Authenticator proxyAuthenticator() {
        String info = URI.create(System.getenv("HTTPS_PROXY")).getRawUserInfo();
        return new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                if (info == null || getRequestorType() != RequestorType.PROXY) {
                    return null;
                }
                int colon = info.indexOf(':');
                return new PasswordAuthentication(
                        info.substring(0, colon), info.substring(colon + 1).toCharArray());
            }
        };
    }

    private static void get(String[] args) throws Exception {
        boolean insecure = List.of(args).contains("--insecure");
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(args[1])).timeout(Duration.ofSeconds(15));
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq > 0) {
                rb.header(args[i].substring(0, eq), args[i].substring(eq + 1));
            }
        }
        HttpClient c = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(proxy()))
                .authenticator(proxyAuthenticator())
                .sslContext(insecure ? trustAll() : trustFile())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            HttpResponse<String> r = c.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("status=" + r.statusCode());
            System.out.println(r.body());
        } catch (IOException e) {
            System.out.println("get=failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void front(String target, String sni) throws Exception {
        InetSocketAddress p = proxy();
        try (Socket s = new Socket(p.getAddress(), p.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: "
                            + proxyAuthorization() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            System.out.println("connect=" + head.toString().lines().findFirst().orElse(""));
            SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(s, sni, 443, true);
            SSLParameters params = tls.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(sni)));
            tls.setSSLParameters(params);
            try {
                tls.startHandshake();
                System.out.println("handshake=ok");
            } catch (IOException e) {
                System.out.println("handshake=failed: " + e.getMessage());
            }
        }
    }

    /** git-push DIR BRANCH FILE CONTENT MESSAGE REFSPEC: commit on BRANCH, then push REFSPEC to origin. */
    private static void gitPush(String[] a) throws Exception {
        try (Git g = Git.open(new File(a[1]))) {
            String id = "-";
            if (!a[3].equals("-")) {
                boolean exists = g.getRepository().findRef("refs/heads/" + a[2]) != null;
                g.checkout()
                        .setCreateBranch(!exists)
                        .setName(a[2])
                        .setStartPoint(exists ? null : "origin/main")
                        .call();
                Files.writeString(Path.of(a[1], a[3]), a[4] + "\n");
                g.add().addFilepattern(a[3]).call();
                id = g.commit().setMessage(a[5]).setSign(false).call().name();
            }
            if (a[6].startsWith("refs/tags/")) {
                g.tag()
                        .setName(a[6].split(":")[0].substring("refs/tags/".length()))
                        .setAnnotated(false)
                        .call();
            }
            for (PushResult r : g.push().setRefSpecs(new RefSpec(a[6])).call()) {
                for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                    System.out.println("push=" + u.getStatus() + " " + id + " " + u.getMessage());
                }
            }
        } catch (GitAPIException e) {
            System.out.println("push=failed " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    /** An MCP client's three requests to supervise (no proxy: supervise is on NO_PROXY). */
    private static void mcp(String tool, String argsJson) throws Exception {
        URI url = URI.create(System.getenv("MCP_SUPERVISE_URL"));
        // the bearer credential from the MCP configuration the bottle gave the agent, as Claude Code reads it
        Path inHome = Path.of(System.getenv().getOrDefault("HOME", "/"), ".claude-bottle", "mcp.json");
        String config = Files.readString(Files.exists(inHome) ? inHome : Path.of("/home/node/.claude-bottle/mcp.json"));
        Matcher bearer = Pattern.compile("\"(Bearer [A-Za-z0-9_-]+)\"").matcher(config);
        String auth = bearer.find() ? bearer.group(1) : "";
        HttpClient c =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> init = c.send(
                HttpRequest.newBuilder(url)
                        .header("Content-Type", "application/json")
                        .header("Authorization", auth)
                        .header("Accept", "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                                        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                                        + "\"clientInfo\":{\"name\":\"probe\",\"version\":\"1\"}}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        c.send(
                HttpRequest.newBuilder(url)
                        .header("Content-Type", "application/json")
                        .header("Mcp-Session-Id", session)
                        .header("Authorization", auth)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = c.send(
                HttpRequest.newBuilder(url)
                        .header("Content-Type", "application/json")
                        .header("Mcp-Session-Id", session)
                        .header("Authorization", auth)
                        .timeout(Duration.ofSeconds(90))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\"," + "\"params\":{\"name\":\""
                                        + tool + "\",\"arguments\":" + argsJson + "}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("mcp=" + r.statusCode() + " " + r.body());
    }

    private static SSLContext trustFile() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(Path.of(System.getenv("SSL_CERT_FILE")))) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("c" + n++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static SSLContext trustAll() throws Exception {
        TrustManager all = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // a probe: trusts everything on purpose
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // a probe: trusts everything on purpose
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {all}, null);
        return ctx;
    }
}
