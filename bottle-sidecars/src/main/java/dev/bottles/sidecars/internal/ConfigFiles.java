package dev.bottles.sidecars.internal;

import dev.bottles.BottleException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a rendered sidecar config file as UTF-8 text, failing with the file's name. */
public final class ConfigFiles {
    private ConfigFiles() {}

    /**
     * Reads a file.
     *
     * @param file the file
     * @return its text
     * @throws BottleException when it cannot be read
     */
    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BottleException("cannot read " + file + " (" + e + ")", e);
        }
    }
}
