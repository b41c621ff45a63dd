package dev.bottles.docker.internal;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The host terminal in raw mode for the length of an attached session (keys go to the bottle as
 * typed, Ctrl-C included), restored on close. Uses {@code stty} on {@code /dev/tty}, as terminal
 * programs on the JVM do; without a tty it does nothing.
 */
public final class Terminal implements AutoCloseable {
    /** A terminal that changes nothing. */
    public static final Terminal NONE = new Terminal(null);
    private static final System.Logger LOG = System.getLogger(Terminal.class.getName());

    private final @Nullable String saved;

    private Terminal(@Nullable String saved) {
        this.saved = saved;
    }

    /**
     * Puts the controlling terminal in raw mode, remembering its settings.
     *
     * @return the terminal to close when the session ends
     */
    public static Terminal raw() {
        String saved = stty("-g");
        if (saved == null) {
            return NONE;
        }
        stty("raw", "-echo");
        return new Terminal(saved.strip());
    }

    @Override
    public void close() {
        if (saved != null) {
            stty(saved);
        }
    }

    private static @Nullable String stty(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "stty";
        System.arraycopy(args, 0, argv, 1, args.length);
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stty is not available", e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
