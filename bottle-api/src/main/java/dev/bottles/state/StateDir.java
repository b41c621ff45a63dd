package dev.bottles.state;

import dev.bottles.BottleException;
import dev.bottles.internal.MetadataJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One bottle's state directory, {@code $BOTTLE_HOME/state/<identity>/}, laid out as the original:
 *
 * <pre>
 * metadata.json   agent/ (agent.env, prompt.txt)   pipelock/   egress/   git-gate/   supervise/
 * Dockerfile      (per-bottle image override)      .preserve   (keep this state at teardown)
 * </pre>
 *
 * <p>Directories are 0700 and private files 0600, every write atomic.
 *
 * @param path the directory
 * @param identity the bottle's identity
 */
public record StateDir(Path path, String identity) {

    /**
     * Validates the fields.
     *
     * @param path the directory
     * @param identity the bottle's identity
     */
    public StateDir {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(identity, "identity");
    }

    /**
     * Creates the directory (0700) if it is missing.
     *
     * @return this state dir
     */
    public StateDir create() {
        SecureFiles.createPrivateDirectories(path);
        return this;
    }

    /**
     * Tells whether the directory exists.
     *
     * @return true when it exists
     */
    public boolean exists() {
        return Files.isDirectory(path);
    }

    /**
     * Returns a subdirectory, creating it (0700) if missing.
     *
     * @param name e.g. {@code egress}
     * @return the subdirectory
     */
    public Path directory(String name) {
        return SecureFiles.createPrivateDirectories(path.resolve(name));
    }

    /**
     * Returns the bottle home this state dir lives in ({@code <home>/state/<identity>}).
     *
     * @return the home
     */
    public BottleHome home() {
        Path states = path.getParent();
        Path home = states == null ? null : states.getParent();
        if (home == null) {
            throw new IllegalStateException(path + " is not a state dir under <home>/state/");
        }
        return new BottleHome(home);
    }

    /**
     * Returns {@code agent/}, created if missing.
     *
     * @return the directory
     */
    public Path agentDir() {
        return directory("agent");
    }

    /**
     * Returns {@code pipelock/}, created if missing.
     *
     * @return the directory
     */
    public Path pipelockDir() {
        return directory("pipelock");
    }

    /**
     * Returns {@code egress/}, created if missing.
     *
     * @return the directory
     */
    public Path egressDir() {
        return directory("egress");
    }

    /**
     * Returns {@code git-gate/}, created if missing.
     *
     * @return the directory
     */
    public Path gitGateDir() {
        return directory("git-gate");
    }

    /**
     * Returns {@code supervise/}, created if missing.
     *
     * @return the directory
     */
    public Path superviseDir() {
        return directory("supervise");
    }

    /**
     * Returns the per-bottle Dockerfile's path (written by an approved capability change).
     *
     * @return {@code Dockerfile}; it may not exist
     */
    public Path dockerfile() {
        return path.resolve("Dockerfile");
    }

    /**
     * Returns the metadata file's path.
     *
     * @return {@code metadata.json}
     */
    public Path metadataFile() {
        return path.resolve("metadata.json");
    }

    /**
     * Records the process that owns the bottle now, in {@code owner} (0600, atomic), so another
     * program's cleanup leaves this state alone while that process runs.
     *
     * @param owner the owner
     */
    public void writeOwner(Owner owner) {
        writeOwner(owner, false);
    }

    /**
     * Records the process that owns the bottle now, or that launches it detached.
     *
     * @param owner the owner, or the launcher of a detached bottle
     * @param detached whether the bottle outlives that process
     */
    public void writeOwner(Owner owner, boolean detached) {
        SecureFiles.writePrivate(path.resolve("owner"), owner.label(detached) + "\n");
        SecureFiles.writePrivate(path.resolve("lease"), Instant.now().toEpochMilli() + "\n");
    }

    /** Records that the bottle's runtime came up (its owner launched it). */
    public void markLaunched() {
        SecureFiles.writePrivate(path.resolve(".launched"), "");
    }

    /**
     * Marks this state as a warm pool member's: made before any bottle claimed it, its egress CA
     * is kept when the claiming bottle is prepared into it (the agent already trusts that CA).
     */
    public void markWarm() {
        SecureFiles.writePrivate(path.resolve(".warm"), "");
    }

    /**
     * Tells whether this state is a warm pool member's ({@link #markWarm()}).
     *
     * @return whether it is
     */
    public boolean isWarm() {
        return Files.exists(path.resolve(".warm"));
    }

    /**
     * Claims a warm pool member's state for one bottle: atomic on the file system, so of any
     * number of claimers, in threads or processes, exactly one gets true.
     *
     * @return whether this call claimed it
     */
    public boolean claimWarm() {
        try {
            Files.createFile(path.resolve(".claimed"));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new BottleException("cannot claim the warm bottle in " + path + " (" + e + ")", e);
        }
    }

    /**
     * Tells whether the bottle's runtime came up at some point: a state whose owner died after
     * that is a crashed bottle, kept for {@code resume}, not an unfinished prepare.
     *
     * @return whether it was launched
     */
    public boolean wasLaunched() {
        return Files.exists(path.resolve(".launched"));
    }

    /**
     * Reads the owner recorded in {@code owner}.
     *
     * @return the owner (for a detached bottle, its launcher), or empty when none is recorded
     */
    public Optional<Owner> owner() {
        return ownerLabel()
                .flatMap(l -> Owner.parse(l.startsWith(Owner.DETACHED) ? l.substring(Owner.DETACHED.length()) : l));
    }

    /**
     * Tells whether the bottle was launched to outlive its launcher.
     *
     * @return whether {@code owner} names a detached bottle's launcher
     */
    public boolean isDetached() {
        return ownerLabel().map(l -> l.startsWith(Owner.DETACHED)).orElse(false);
    }

    private Optional<String> ownerLabel() {
        Path f = path.resolve("owner");
        try {
            return Files.isRegularFile(f)
                    ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Renews the owner's lease, written with the owner: {@code lease} (0600) records the moment,
     * which another host sharing this bottle home reads to judge whether the owner still lives
     * ({@link Owner#LEASE_TERM}). It is rewritten in place and never created here, so a renewal
     * racing the state's removal leaves nothing behind; a reader that catches it half-written sees
     * no lease, which counts as alive.
     *
     * @param now the moment of renewal
     * @return false when the state or its lease is gone
     */
    public boolean renewLease(Instant now) {
        try {
            Files.writeString(
                    path.resolve("lease"),
                    now.toEpochMilli() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads when the owner last renewed its lease.
     *
     * @return the moment, or empty when no lease was ever written (or it is unreadable)
     */
    public Optional<Instant> lease() {
        try {
            return Optional.of(
                    Instant.ofEpochMilli(Long.parseLong(Files.readString(path.resolve("lease"), StandardCharsets.UTF_8)
                            .strip())));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Tells whether the recorded owner is known to be gone: on this host its process is gone, on
     * another its lease ran out ({@link Owner#mayBeAlive(Optional, Instant)}).
     *
     * @param now the time to judge at
     * @return false when no owner is recorded or it may be alive
     */
    public boolean ownerGone(Instant now) {
        return owner().map(o -> !o.mayBeAlive(lease(), now)).orElse(false);
    }

    /**
     * Tells whether another program's cleanup must leave this state alone: it is kept for
     * {@code resume}, its owner may still run, or (a state from before owners were recorded, or one
     * being created this moment) it changed in the last five minutes.
     *
     * @return whether the state is held
     */
    public boolean isHeld() {
        if (isPreserved()) {
            return true;
        }
        if (Files.isRegularFile(path.resolve("owner"))) {
            // a detached bottle's state is held by its launcher while it launches, then by its runtime
            return owner().isEmpty() || !ownerGone(Instant.now());
        }
        try {
            return Files.getLastModifiedTime(path)
                    .toInstant()
                    .isAfter(Instant.now().minus(Duration.ofMinutes(5)));
        } catch (IOException e) {
            return Files.exists(path); // unreadable: not judged dead
        }
    }

    /**
     * Writes {@code metadata.json} (0600, atomic).
     *
     * @param metadata the metadata
     */
    public void writeMetadata(BottleMetadata metadata) {
        create();
        SecureFiles.writePrivate(metadataFile(), MetadataJson.write(metadata));
    }

    /**
     * Reads {@code metadata.json}.
     *
     * @return the metadata, or empty when the file is missing
     * @throws BottleException when the file is malformed
     */
    public Optional<BottleMetadata> readMetadata() {
        Path f = metadataFile();
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MetadataJson.read(Files.readString(f, StandardCharsets.UTF_8), f.toString()));
        } catch (IOException e) {
            throw new BottleException("cannot read " + f + " (" + e + ")", e);
        }
    }

    /**
     * Writes the {@code .preserve} marker, so teardown keeps this state for {@code resume}.
     */
    public void preserve() {
        create();
        SecureFiles.writePrivate(path.resolve(".preserve"), new byte[0]);
    }

    /**
     * Removes the {@code .preserve} marker, if any.
     */
    public void clearPreserve() {
        try {
            Files.deleteIfExists(path.resolve(".preserve"));
        } catch (IOException e) {
            throw new BottleException("cannot remove " + path.resolve(".preserve") + " (" + e + ")", e);
        }
    }

    /**
     * Returns {@code transcript/}, where Claude Code's session transcripts are kept while the state
     * is (not created).
     *
     * @return the directory
     */
    public Path transcriptDir() {
        return path.resolve("transcript");
    }

    /**
     * Tells whether the {@code .preserve} marker is present.
     *
     * @return true when this state is kept at teardown
     */
    public boolean isPreserved() {
        return Files.exists(path.resolve(".preserve"));
    }

    /**
     * Deletes the whole directory and the bottle's supervise queue ({@code queue/<identity>/}) beside
     * it; missing directories are success.
     */
    public void delete() {
        SecureFiles.deleteRecursively(path);
        if (path.getParent() != null
                && path.getParent().getFileName() != null
                && path.getParent().getFileName().toString().equals("state")) {
            SecureFiles.deleteRecursively(home().queueDir(identity));
        }
    }
}
