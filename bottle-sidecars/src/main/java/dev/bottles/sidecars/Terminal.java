package dev.bottles.sidecars;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.TerminalBuilder;
import org.jspecify.annotations.Nullable;

/**
 * The host terminal for the length of an attached session, through JLine: raw mode (keys go to the
 * bottle as typed, Ctrl-C included, so it reaches the agent rather than stopping this process), the
 * terminal's size, and its resizes ({@code SIGWINCH}) passed on; restored on close, whatever ended
 * the session. Without a terminal it does nothing.
 */
public final class Terminal implements AutoCloseable {
    /** A terminal that changes nothing. */
    public static final Terminal NONE = new Terminal(null, null);

    private static final System.Logger LOG = System.getLogger(Terminal.class.getName());
    private static org.jline.terminal.@Nullable Terminal shared;

    private final org.jline.terminal.@Nullable Terminal terminal;
    private final @Nullable Attributes saved;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final @Nullable Thread restoreAtExit;

    private Terminal(org.jline.terminal.@Nullable Terminal terminal, @Nullable Attributes saved) {
        this.terminal = terminal;
        this.saved = saved;
        // a JVM ended by a signal (SIGTERM, SIGHUP) still gives the user their terminal back
        this.restoreAtExit = terminal == null ? null : new Thread(this::restore, "bottles-terminal-restore");
        if (restoreAtExit != null) {
            Runtime.getRuntime().addShutdownHook(restoreAtExit);
        }
    }

    /**
     * Puts the controlling terminal in raw mode, remembering its settings.
     *
     * @return the terminal to close when the session ends, or {@link #NONE} without one
     */
    public static Terminal raw() {
        if (System.console() == null) {
            return NONE;
        }
        try {
            org.jline.terminal.Terminal t = system();
            if (t.getType().startsWith("dumb")) {
                return NONE;
            }
            Attributes saved = t.getAttributes();
            Attributes raw = new Attributes(saved);
            raw.setLocalFlags(
                    EnumSet.of(
                            Attributes.LocalFlag.ICANON,
                            Attributes.LocalFlag.ECHO,
                            Attributes.LocalFlag.ECHONL,
                            Attributes.LocalFlag.ISIG,
                            Attributes.LocalFlag.IEXTEN),
                    false);
            raw.setInputFlags(
                    EnumSet.of(
                            Attributes.InputFlag.IXON,
                            Attributes.InputFlag.ICRNL,
                            Attributes.InputFlag.INLCR,
                            Attributes.InputFlag.IGNCR,
                            Attributes.InputFlag.BRKINT,
                            Attributes.InputFlag.ISTRIP,
                            Attributes.InputFlag.PARMRK),
                    false);
            raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
            raw.setControlChar(Attributes.ControlChar.VMIN, 1);
            raw.setControlChar(Attributes.ControlChar.VTIME, 0);
            t.setAttributes(raw);
            return new Terminal(t, saved);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "no usable terminal; attaching without raw mode", e);
            return NONE;
        }
    }

    /**
     * Returns this JVM's one system terminal, built on first use and never closed: JLine opens only
     * one at a time, and closing it closes this process's standard output with it. An application
     * that has its own (the dashboard) hands it over with {@code TerminalBuilder.setTerminalOverride}.
     */
    private static synchronized org.jline.terminal.Terminal system() throws IOException {
        if (shared == null) {
            shared = TerminalBuilder.builder()
                    .system(true)
                    .nativeSignals(true)
                    .signalHandler(org.jline.terminal.Terminal.SignalHandler.SIG_IGN)
                    .build();
        }
        return shared;
    }

    /**
     * Tells whether there is a terminal.
     *
     * @return false for {@link #NONE}
     */
    public boolean present() {
        return terminal != null;
    }

    /**
     * Returns what the session reads: this process's standard input, the terminal in raw mode, read
     * only as far as it holds bytes. (Not JLine's own reader, whose reads wait to fill their buffer
     * and so would hold back a terminal's short answers to the agent's queries.) It ends when this
     * terminal is closed, so no reader is left blocked on the terminal to swallow the next key
     * meant for whatever runs after the session (the dashboard, a shell).
     *
     * @return the input
     */
    public InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (!closed.get()) {
                    int ready = System.in.available();
                    if (ready > 0) {
                        return System.in.read(b, off, Math.min(len, ready));
                    }
                    try {
                        Thread.sleep(4);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1;
                    }
                }
                return -1;
            }
        };
    }

    /**
     * Returns the terminal's width.
     *
     * @return columns, or 0 without a terminal
     */
    public int columns() {
        return terminal == null ? 0 : terminal.getSize().getColumns();
    }

    /**
     * Returns the terminal's height.
     *
     * @return rows, or 0 without a terminal
     */
    public int rows() {
        return terminal == null ? 0 : terminal.getSize().getRows();
    }

    /**
     * Calls {@code resize} with the size now, and again after each resize of the terminal.
     *
     * @param resize receives columns and rows
     */
    public void follow(BiConsumer<Integer, Integer> resize) {
        org.jline.terminal.Terminal t = terminal;
        if (t == null) {
            return;
        }
        t.handle(org.jline.terminal.Terminal.Signal.WINCH, s -> {
            Size size = t.getSize();
            resize.accept(size.getColumns(), size.getRows());
        });
        resize.accept(t.getSize().getColumns(), t.getSize().getRows());
    }

    @Override
    public void close() {
        if (restoreAtExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(restoreAtExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting; the hook restores
            }
        }
        restore();
    }

    private void restore() {
        org.jline.terminal.Terminal t = terminal;
        if (t == null || !closed.compareAndSet(false, true)) {
            return;
        }
        try {
            t.handle(org.jline.terminal.Terminal.Signal.WINCH, org.jline.terminal.Terminal.SignalHandler.SIG_DFL);
            if (saved != null) {
                t.setAttributes(saved);
            }
            t.flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not restore the terminal: " + e.getMessage());
        }
    }
}
