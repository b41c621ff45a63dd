package dev.bottles.kubernetes.internal;

import dev.bottles.BottleException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs a command in one container of a pod over {@code pods/exec}. The command line travels in the
 * request's URL, which the API server may write to its audit log, so it never holds a secret: values
 * go over the stream's stdin. The stream cannot signal the end of stdin (the {@code v4} channel
 * protocol has no close frame), so whatever reads stdin is told its length.
 */
public final class PodExec {
    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final String container;

    /**
     * Targets one container.
     *
     * @param client the client
     * @param namespace the namespace
     * @param pod the pod
     * @param container the container
     */
    public PodExec(KubernetesClient client, String namespace, String pod, String container) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.container = container;
    }

    /**
     * How a command ended.
     *
     * @param finished false when it ran past its timeout (it was left running; stop it)
     * @param exitCode its exit code, or -1 when it did not finish
     */
    public record Outcome(boolean finished, int exitCode) {}

    /**
     * Runs a command: writes {@code input} to its stdin (without closing it), copies its output as it
     * comes and waits for its exit code.
     *
     * @param argv the command
     * @param input bytes for its stdin, then more from {@code more}; null for no stdin at all
     * @param more further stdin, or null
     * @param out where stdout goes
     * @param err where stderr goes
     * @param timeout how long to wait
     * @return how it ended
     * @throws BottleException when it cannot be run
     */
    // the raw status channel is deprecated in favour of exitCode(), but exitCode() fails outright when the
    // stream breaks after the status came; the status itself is then the only truth
    @SuppressWarnings("deprecation")
    public Outcome run(
            List<String> argv,
            byte @Nullable [] input,
            @Nullable InputStream more,
            OutputStream out,
            OutputStream err,
            Duration timeout) {
        var target = client.pods().inNamespace(namespace).withName(pod).inContainer(container);
        io.fabric8.kubernetes.client.dsl.TtyExecOutputErrorable streams =
                input != null ? target.redirectingInput() : target;
        ExecWatch w;
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        try {
            w = streams.writingOutput(out)
                    .writingError(err)
                    .writingErrorChannel(status)
                    .exec(argv.toArray(String[]::new));
        } catch (KubernetesClientException e) {
            throw new BottleException(
                    "cannot run " + argv.get(0) + " in " + pod + "/" + container + " (" + e.getMessage() + ")", e);
        }
        try (w) {
            CompletableFuture<Integer> code = w.exitCode();
            if (input != null) {
                CompletableFuture.runAsync(() -> feed(w, input, more));
            }
            try {
                Integer c = code.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                return new Outcome(true, c == null ? -1 : c);
            } catch (TimeoutException e) {
                return new Outcome(false, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, -1);
            } catch (ExecutionException e) {
                throw new BottleException(
                        "running " + argv.get(0) + " in " + pod + "/" + container + " failed (" + e.getCause() + ")",
                        e);
            }
        }
    }

    /** The most stdin bytes sent in one frame: well under the 64 KiB frame limits of common websocket peers. */
    static final int FRAME = 32 * 1024;

    private static void feed(ExecWatch w, byte[] input, @Nullable InputStream more) {
        try {
            OutputStream in = w.getInput();
            if (in == null) {
                return;
            }
            for (int off = 0; off < input.length; off += FRAME) {
                in.write(input, off, Math.min(FRAME, input.length - off));
                in.flush();
            }
            if (more != null) {
                byte[] buf = new byte[FRAME];
                int n;
                while ((n = more.read(buf)) > 0) {
                    in.write(buf, 0, n);
                    in.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the command ended first, or the stream broke: its outcome says what happened
        }
    }

    /**
     * Runs a short command and returns its stdout, failing on a non-zero exit.
     *
     * @param argv the command
     * @param input its stdin, or null
     * @param timeout how long to wait
     * @return its stdout
     * @throws BottleException when it fails, with its stderr
     */
    public String check(List<String> argv, byte @Nullable [] input, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Outcome o = run(argv, input, null, out, err, timeout);
        if (!o.finished() || o.exitCode() != 0) {
            throw new BottleException(argv.get(0) + " in " + pod + "/" + container + " "
                    + (o.finished() ? "exited " + o.exitCode() : "did not finish in " + timeout.toSeconds() + " s")
                    + ": " + err.toString(StandardCharsets.UTF_8).strip());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Runs a command on a terminal: this process's stdin goes in, the output comes out, and the
     * terminal's size follows the window.
     *
     * @param argv the command
     * @param input bytes for stdin before the user's
     * @param user the user's input
     * @param out where the output goes
     * @param tty whether to allocate a terminal
     * @param follow called with a resize function once the command runs
     * @return the exit code
     */
    public int attach(
            List<String> argv,
            byte[] input,
            InputStream user,
            OutputStream out,
            boolean tty,
            Consumer<java.util.function.BiConsumer<Integer, Integer>> follow) {
        var target = client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(container)
                .redirectingInput();
        ExecWatch w = tty
                ? target.writingOutput(out).withTTY().exec(argv.toArray(String[]::new))
                : target.writingOutput(out).writingError(System.err).exec(argv.toArray(String[]::new));
        try (w) {
            Thread pump = new Thread(() -> feed(w, input, user), "bottle-attach-input");
            pump.setDaemon(true);
            pump.start();
            follow.accept(w::resize);
            Integer c = w.exitCode().get();
            return c == null ? -1 : c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException e) {
            throw new BottleException("the attached command in " + pod + " failed (" + e.getCause() + ")", e);
        }
    }
}
