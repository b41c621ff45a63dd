package dev.bottles.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * The command line's world: its streams, environment and working directory (the process's in
 * {@link BottleCli#main}, a test's in tests).
 *
 * @param out where results go
 * @param err where progress, prompts and errors go
 * @param in where answers to prompts come from
 * @param env the environment
 * @param cwd the working directory
 */
public record Io(PrintWriter out, PrintWriter err, BufferedReader in, Map<String, String> env, Path cwd) {
    /**
     * Asks a yes/no question on {@code err}; anything but {@code y} or {@code yes} is no.
     *
     * @param question the question, without the {@code [y/N]}
     * @return whether the answer was yes
     */
    public boolean confirm(String question) {
        err.print(question + " [y/N] ");
        err.flush();
        try {
            String line = in.readLine();
            return line != null
                    && (line.strip().equalsIgnoreCase("y") || line.strip().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }
}
