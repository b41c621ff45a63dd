package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a definition came from: a file with the line of each field, or code.
 *
 * @param file the Markdown file, or null for a definition built in code
 * @param lines the 1-based line of each field path read from the file (e.g. {@code git[0].Name})
 */
public record Origin(@Nullable Path file, Map<String, Integer> lines) {
    private static final Origin IN_CODE = new Origin(null, Map.of());

    /**
     * Copies the line table.
     *
     * @param file the Markdown file, or null for a definition built in code
     * @param lines the 1-based line of each field path read from the file (e.g. {@code git[0].Name})
     */
    public Origin {
        lines = Map.copyOf(Objects.requireNonNull(lines, "lines"));
    }

    /**
     * Returns the origin of a definition built in code.
     *
     * @return the shared in-code origin
     */
    public static Origin inCode() {
        return IN_CODE;
    }

    /**
     * Returns the line of a field, or of its nearest enclosing field, or 0 when unknown.
     *
     * @param field a field path such as {@code egress.routes[1].auth.scheme}
     * @return the 1-based line, or 0
     */
    public int lineOf(@Nullable String field) {
        String f = field;
        while (f != null && !f.isEmpty()) {
            Integer line = lines.get(f);
            if (line != null) {
                return line;
            }
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            f = cut > 0 ? f.substring(0, cut) : null;
        }
        return lines.getOrDefault("", 0);
    }

    /**
     * Ties a problem to this origin's file and the line of its field, when this origin is a file.
     *
     * @param problem the problem
     * @return the located problem, or the same problem for an in-code origin
     */
    public ManifestException locate(ManifestException problem) {
        if (file == null) {
            return problem;
        }
        if (problem.problems().size() > 1) {
            return ManifestException.combine(
                    problem.problems().stream().map(this::locate).toList());
        }
        return problem.file().isPresent()
                ? problem
                : problem.at(file, lineOf(problem.field().orElse(null)));
    }

    @Override
    public String toString() {
        return file == null ? "(defined in code)" : file.toString();
    }
}
