package dev.bottles.internal;

import dev.bottles.ExecOptions;
import dev.bottles.spi.BackendBottle;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Claude Code's session transcripts ({@code ~/.claude/projects/}) kept across a bottle's lives, as
 * the original did: snapshotted into {@code state/<identity>/transcript/projects.tar} before a
 * bottle whose state is kept goes down, and put back when it is resumed, so {@code claude --continue}
 * picks the session up. Best effort both ways: a bottle without Claude Code, or a backend that
 * cannot stream, only logs.
 */
public final class Transcripts {
    /** The snapshot's file name under the state's {@code transcript/}. */
    public static final String FILE = "projects.tar";

    private static final System.Logger LOG = System.getLogger(Transcripts.class.getName());
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private Transcripts() {}

    /**
     * Returns where a state keeps its snapshot.
     *
     * @param state the state
     * @return {@code transcript/projects.tar}
     */
    public static Path file(StateDir state) {
        return state.transcriptDir().resolve(FILE);
    }

    /**
     * Tells whether a state holds a snapshot.
     *
     * @param state the state
     * @return whether there is one
     */
    public static boolean exists(StateDir state) {
        return Files.isRegularFile(file(state));
    }

    /**
     * Snapshots the transcripts of a running bottle into its state (best effort).
     *
     * @param bottle the bottle
     * @param state its state
     */
    public static void snapshot(BackendBottle bottle, StateDir state) {
        try {
            ByteArrayOutputStream tar = new ByteArrayOutputStream();
            int code = bottle.execStreaming(
                    List.of(
                            "/bin/sh",
                            "-c",
                            "[ -d \"$HOME/.claude/projects\" ] || exit 3;"
                                    + " exec tar -c -f - -C \"$HOME/.claude\" projects"),
                    ExecOptions.defaults().withTimeout(TIMEOUT),
                    null,
                    tar,
                    OutputStream.nullOutputStream());
            if (code == 0 && tar.size() > 0) {
                Path f = file(state);
                SecureFiles.createPrivateDirectories(SecureFiles.parent(f));
                SecureFiles.writePrivate(f, tar.toByteArray());
            } else if (code != 3) {
                // 126/127: no shell or tar in this bottle (not Claude Code's image); nothing to keep
                LOG.log(
                        code == 126 || code == 127 ? Level.DEBUG : Level.WARNING,
                        "no transcript snapshot of " + bottle.identity() + " (tar exited " + code + ")");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "no transcript snapshot of " + bottle.identity() + ": " + e.getMessage());
        }
    }

    /**
     * Puts a state's snapshot back into a resumed bottle (best effort); the archive is checked as
     * {@link BackendBottle#copyTo} checks any.
     *
     * @param bottle the resumed bottle
     * @param state its state
     */
    public static void restore(BackendBottle bottle, StateDir state) {
        if (!exists(state)) {
            return;
        }
        try (InputStream in = Files.newInputStream(file(state))) {
            TarCopy.check(file(state));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = bottle.execStreaming(
                    List.of(
                            "/bin/sh",
                            "-c",
                            "mkdir -p \"$HOME/.claude\" && exec tar -x -f -" + " -C \"$HOME/.claude\""),
                    ExecOptions.defaults().withTimeout(TIMEOUT),
                    in,
                    OutputStream.nullOutputStream(),
                    err);
            if (code != 0) {
                LOG.log(
                        Level.WARNING,
                        "the transcript of " + bottle.identity() + " was not restored (exit " + code + "): "
                                + err.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "the transcript of " + bottle.identity() + " was not restored: " + e.getMessage());
        }
    }
}
