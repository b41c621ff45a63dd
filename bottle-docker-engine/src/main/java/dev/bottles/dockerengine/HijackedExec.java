package dev.bottles.dockerengine;

import dev.bottles.BottleException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Starts an exec on the engine's raw, upgraded connection, as the {@code docker} CLI does, so that
 * the end of {@code stdin} reaches the command: at the end of the input the connection's write side
 * is shut down, which the engine passes on as EOF. docker-java's transport cannot half-close its
 * hijacked connection (docker-java issues 1448 and 1684), so a command reading its input to the end
 * would wait forever. Works for {@code unix://} and plain {@code tcp://} engines; the output is
 * demultiplexed from the engine's 8-byte frame headers.
 */
final class HijackedExec {
    private HijackedExec() {}

    /**
     * Tells whether an engine address can be dialled directly.
     *
     * @param host the engine's address
     * @return whether it is a unix socket or plain TCP
     */
    static boolean supports(String host) {
        String tls = System.getenv("DOCKER_TLS_VERIFY");
        return host.startsWith("unix://")
                || host.startsWith("tcp://") && (tls == null || tls.isEmpty() || tls.equals("0"));
    }

    /**
     * Runs a started exec to its end: copies {@code stdin} in (then half-closes), demultiplexes the
     * output. Returns when the engine closes the stream.
     *
     * @param host the engine's address
     * @param apiVersion the API version to speak, or null for the engine's default
     * @param execId the created exec
     * @param stdin the input
     * @param out where stdout goes
     * @param err where stderr goes
     * @param onOpen receives the connection once open, so a caller past its deadline can close it
     * @throws BottleException when the engine refuses the upgrade
     */
    static void run(
            String host,
            @Nullable String apiVersion,
            String execId,
            InputStream stdin,
            OutputStream out,
            OutputStream err,
            Consumer<AutoCloseable> onOpen) {
        try (SocketChannel ch = open(host)) {
            onOpen.accept(ch);
            String body = "{\"Detach\":false,\"Tty\":false}";
            String req =
                    "POST " + (apiVersion == null ? "" : "/v" + apiVersion) + "/exec/" + execId + "/start HTTP/1.1\r\n"
                            + "Host: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            write(ch, req.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            int headerEnd = readHead(ch, buf);
            String head = new String(buf.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
            String status = head.substring(0, Math.max(0, head.indexOf('\r')));
            if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
                throw new BottleException("the engine refused to start exec " + execId + ": " + status);
            }
            Thread feeder = new Thread(() -> feed(ch, stdin), "bottles-exec-stdin");
            feeder.setDaemon(true);
            feeder.start();
            ByteBuffer rest = ByteBuffer.wrap(buf.array(), headerEnd + 4, buf.position() - headerEnd - 4);
            demux(ch, rest, out, err);
        } catch (IOException e) {
            throw new BottleException("the exec stream from " + host + " broke (" + e.getMessage() + ")", e);
        }
    }

    private static SocketChannel open(String host) throws IOException {
        URI u = URI.create(host);
        SocketAddress addr;
        SocketChannel ch;
        if (u.getScheme().toLowerCase(Locale.ROOT).equals("unix")) {
            addr = UnixDomainSocketAddress.of(u.getPath());
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            addr = new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 2375 : u.getPort());
            ch = SocketChannel.open();
        }
        ch.connect(addr);
        return ch;
    }

    private static int readHead(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (true) {
            if (ch.read(buf) < 0) {
                throw new IOException("the engine closed the connection before answering");
            }
            byte[] a = buf.array();
            for (int i = 0; i + 3 < buf.position(); i++) {
                if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                    return i;
                }
            }
            if (!buf.hasRemaining()) {
                throw new IOException("the engine's answer has no end of headers in 64 KiB");
            }
        }
    }

    private static void feed(SocketChannel ch, InputStream stdin) {
        byte[] b = new byte[64 * 1024];
        try {
            for (int n = stdin.read(b); n >= 0; n = stdin.read(b)) {
                if (n > 0) {
                    write(ch, Arrays.copyOf(b, n));
                }
            }
            ch.shutdownOutput();
        } catch (IOException e) {
            // the command ended before reading all of its input, or the stream was abandoned
        }
    }

    private static void write(SocketChannel ch, byte[] b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    /** Reads {@code [type, 0, 0, 0, size(4, big-endian)] payload} frames until the engine closes. */
    private static void demux(SocketChannel ch, ByteBuffer first, OutputStream out, OutputStream err)
            throws IOException {
        ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        in.put(first);
        in.flip();
        ByteBuffer header = ByteBuffer.allocate(8);
        while (true) {
            if (!fill(ch, in, header)) {
                return;
            }
            header.flip();
            int type = header.get(0);
            int size = header.getInt(4);
            header.clear();
            OutputStream to = type == 2 ? err : out;
            int left = size;
            byte[] chunk = new byte[Math.min(size, 64 * 1024)];
            while (left > 0) {
                if (!in.hasRemaining()) {
                    in.clear();
                    if (ch.read(in) < 0) {
                        throw new IOException("the engine closed the stream inside a frame");
                    }
                    in.flip();
                }
                int n = Math.min(Math.min(left, in.remaining()), chunk.length);
                in.get(chunk, 0, n);
                to.write(chunk, 0, n);
                left -= n;
            }
            to.flush();
        }
    }

    /** Fills {@code header} from the buffer and the channel; false at a clean end of stream. */
    private static boolean fill(SocketChannel ch, ByteBuffer in, ByteBuffer header) throws IOException {
        while (header.hasRemaining()) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = ch.read(in);
                in.flip();
                if (n < 0) {
                    if (header.position() == 0) {
                        return false;
                    }
                    throw new IOException("the engine closed the stream inside a frame header");
                }
            }
            while (in.hasRemaining() && header.hasRemaining()) {
                header.put(in.get());
            }
        }
        return true;
    }
}
