package dev.bottles.docker.testimages.programs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A git upstream reached over SSH (JGit's test SSH git server on port 22, user {@code git}, the
 * gate's public key from {@code /certs/gate.pub.der}, host key from {@code /certs/host.*.der}),
 * holding one repository with {@code main}. On 8099: {@code GET /refs} ({@code <sha> <ref>} lines),
 * {@code GET /has?<sha>} ({@code yes}/{@code no}) and {@code POST /commit} (a new commit on main).
 */
public final class GitUpstream {
    private GitUpstream() {}

    /**
     * Serves until killed.
     *
     * @param args ignored
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        Path seed = Path.of("/srv/seed");
        Git work =
                Git.init().setDirectory(seed.toFile()).setInitialBranch("main").call();
        Files.writeString(seed.resolve("README.md"), "upstream\n");
        work.add().addFilepattern("README.md").call();
        work.commit().setMessage("first").setSign(false).call();
        Path bare = Path.of("/srv/upstream.git");
        Git.cloneRepository()
                .setBare(true)
                .setURI(seed.toUri().toString())
                .setDirectory(bare.toFile())
                .call()
                .close();
        Repository repo = Git.open(bare.toFile()).getRepository();
        KeyFactory ec = KeyFactory.getInstance("EC");
        PublicKey gate = ec.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(Path.of("/certs/gate.pub.der"))));
        PublicKey hostPub =
                ec.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(Path.of("/certs/host.pub.der"))));
        PrivateKey hostKey =
                ec.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Path.of("/certs/host.key.der"))));
        SshTestGitServer ssh = new SshTestGitServer("git", gate, repo, new KeyPair(hostPub, hostKey)) {
            {
                server.setPort(22);
            }
        };
        ssh.start();
        HttpServer control = HttpServer.create(new InetSocketAddress(8099), 8);
        control.createContext("/refs", x -> {
            StringBuilder sb = new StringBuilder();
            for (Ref r : repo.getRefDatabase().getRefs()) {
                if (r.getObjectId() != null) {
                    sb.append(r.getObjectId().name())
                            .append(' ')
                            .append(r.getName())
                            .append('\n');
                }
            }
            reply(x, sb.toString());
        });
        control.createContext(
                "/has",
                x -> reply(
                        x,
                        repo.getObjectDatabase()
                                        .has(ObjectId.fromString(
                                                x.getRequestURI().getQuery()))
                                ? "yes"
                                : "no"));
        control.createContext("/commit", x -> {
            try (InputStream in = x.getRequestBody()) {
                in.readAllBytes();
            }
            try {
                Files.writeString(seed.resolve("NEWS"), "news " + System.nanoTime() + "\n");
                work.add().addFilepattern("NEWS").call();
                String id = work.commit()
                        .setMessage("upstream moves on")
                        .setSign(false)
                        .call()
                        .name();
                work.push()
                        .setRemote(bare.toUri().toString())
                        .setRefSpecs(new RefSpec("main:main"))
                        .call();
                reply(x, id);
            } catch (Exception e) {
                reply(x, "error " + e);
            }
        });
        control.start();
        System.out.println("upstream git ready");
    }

    private static void reply(HttpExchange x, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream os = x.getResponseBody()) {
                os.write(b);
            }
        }
    }
}
