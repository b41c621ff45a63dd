package dev.bottles;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Signals that a bottle or agent definition is wrong, or that the host cannot satisfy it.
 *
 * <p>Names the file (when the definition came from one), the line where known, the field, the
 * problem and the fix. {@link #problems()} lists every problem when validation found several.
 */
public final class ManifestException extends BottleException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable Path file;
    private final int line;
    private final @Nullable String field;
    private final String problem;
    private final String fix;
    private final transient List<ManifestException> problems;

    private ManifestException(
            @Nullable Path file,
            int line,
            @Nullable String field,
            String problem,
            String fix,
            List<ManifestException> problems,
            String message) {
        super(message);
        this.file = file;
        this.line = line;
        this.field = field;
        this.problem = problem;
        this.fix = fix;
        this.problems = problems.isEmpty() ? List.of(this) : List.copyOf(problems);
    }

    /**
     * Creates an exception for one problem, not yet tied to a file.
     *
     * @param field the field at fault, as a path such as {@code egress.routes[1].auth}, or null
     * @param problem what is wrong
     * @param fix what to change
     * @return the exception
     */
    public static ManifestException of(@Nullable String field, String problem, String fix) {
        return new ManifestException(null, 0, field, problem, fix, List.of(), render(null, 0, field, problem, fix));
    }

    /**
     * Returns a copy tied to a file and, when known, a line.
     *
     * @param file the definition's file
     * @param line the 1-based line, or 0 when unknown
     * @return the located exception
     */
    public ManifestException at(Path file, int line) {
        if (problems.size() > 1) {
            return combine(problems.stream()
                    .map(p -> p.file == null ? p.at(file, line) : p)
                    .collect(Collectors.toList()));
        }
        return new ManifestException(
                file, line, field, problem, fix, List.of(), render(file, line, field, problem, fix));
    }

    /**
     * Combines several problems into one exception whose message lists them all.
     *
     * @param all the problems, at least one
     * @return the first problem when there is one, otherwise an exception listing all of them
     */
    public static ManifestException combine(List<ManifestException> all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no problems to combine");
        }
        List<ManifestException> flat =
                all.stream().flatMap(p -> p.problems().stream()).collect(Collectors.toList());
        if (flat.size() == 1) {
            return flat.get(0);
        }
        ManifestException first = flat.get(0);
        String message = flat.size() + " problems:\n"
                + flat.stream()
                        .map(p -> "  - " + String.valueOf(p.getMessage()).replace("\n", "\n    "))
                        .collect(Collectors.joining("\n"));
        return new ManifestException(first.file, first.line, first.field, first.problem, first.fix, flat, message);
    }

    /**
     * Returns the file the faulty definition came from.
     *
     * @return the file, or empty for a definition built in code
     */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Returns the 1-based line of the fault in {@link #file()}.
     *
     * @return the line, or empty when unknown
     */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /**
     * Returns the field at fault, as a path such as {@code egress.routes[1].auth}.
     *
     * @return the field, or empty when the fault is the file as a whole
     */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /**
     * Returns what is wrong, without location or fix.
     *
     * @return the problem
     */
    public String problem() {
        return problem;
    }

    /**
     * Returns what to change.
     *
     * @return the fix
     */
    public String fix() {
        return fix;
    }

    /**
     * Returns every problem this exception reports; a single problem lists itself.
     *
     * @return the problems, at least one
     */
    public List<ManifestException> problems() {
        return problems;
    }

    private static String render(@Nullable Path file, int line, @Nullable String field, String problem, String fix) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        }
        if (field != null) {
            sb.append(field).append(": ");
        }
        sb.append(problem);
        if (!fix.isEmpty()) {
            sb.append(". Fix: ").append(fix);
        }
        return sb.toString();
    }
}
