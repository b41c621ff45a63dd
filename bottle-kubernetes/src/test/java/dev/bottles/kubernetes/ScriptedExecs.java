package dev.bottles.kubernetes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A kubelet's exec side for {@link FakeCluster} with no container behind it: it reads stdin exactly as
 * the SDK's framing says (the wrapper's header to its empty line, then the stated number of bytes;
 * a provisioning or routes push's stated lengths), records what came, and answers through a function.
 * It never reads stdin to its end, as a real command cannot: the exec stream cannot close it.
 */
final class ScriptedExecs implements FakeCluster.Execs {
    /** One exec as the kubelet saw it. */
    record Call(String pod, String container, List<String> argv, String header, byte[] stdin) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Function<Call, Integer> answer;
    private final Function<Call, String> printing;

    ScriptedExecs(Function<Call, Integer> answer) {
        this(answer, c -> "");
    }

    ScriptedExecs(Function<Call, Integer> answer, Function<Call, String> printing) {
        this.answer = answer;
        this.printing = printing;
    }

    @Override
    public int run(String pod, String container, List<String> argv, InputStream in, OutputStream out, OutputStream err)
            throws IOException {
        byte[] read = readFramed(argv, in);
        String header = "";
        byte[] stdin = read;
        int wrapper = argv.indexOf("bottle-exec");
        if (wrapper >= 0 && argv.get(wrapper + 2).equals("-")) {
            String all = new String(read, StandardCharsets.ISO_8859_1);
            int end = all.startsWith("\n") ? 0 : all.indexOf("\n\n") + 1;
            header = new String(read, 0, end, StandardCharsets.UTF_8);
            stdin = java.util.Arrays.copyOfRange(read, end + 1, read.length);
        }
        Call c = new Call(pod, container, List.copyOf(argv), header, stdin);
        calls.add(c);
        int code = answer.apply(c);
        out.write(printing.apply(c).getBytes(StandardCharsets.UTF_8));
        out.flush();
        return code;
    }

    /**
     * Reads what a command the SDK runs will read of its stdin, as its framing says: the wrapper's
     * header to its empty line and then the stated bytes; a provisioning's, a put's or a routes push's
     * stated lengths. Never reads to the end: the exec stream cannot close stdin.
     *
     * @param argv the command
     * @param in its stdin
     * @return the bytes, header included
     * @throws IOException when stdin breaks
     */
    static byte[] readFramed(List<String> argv, InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long length = 0;
        int wrapper = argv.indexOf("bottle-exec");
        if (wrapper >= 0) {
            if (argv.get(wrapper + 2).equals("-")) {
                all.write(readHeader(in).getBytes(StandardCharsets.UTF_8));
            }
            String n = argv.get(wrapper + 4);
            length = n.equals("-") || n.equals("=") ? 0 : Long.parseLong(n);
        } else if (argv.contains("bottle-provision")) {
            int i = argv.indexOf("bottle-provision");
            length = Long.parseLong(argv.get(i + 1)) + Long.parseLong(argv.get(i + 2));
        } else if (argv.contains("bottle-put")) {
            length = Long.parseLong(argv.get(argv.indexOf("bottle-put") + 1));
        } else if (argv.contains("routes")) {
            length = Long.parseLong(argv.get(argv.size() - 1));
        }
        all.write(in.readNBytes((int) length));
        return all.toByteArray();
    }

    private static String readHeader(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = '\n';
        for (int ch = in.read(); ch >= 0; ch = in.read()) {
            b.write(ch);
            if (ch == '\n' && prev == '\n') {
                break;
            }
            prev = ch;
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
