package dev.bottles;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Signals that no backend could run a bottle: none was requested and available, or the requested
 * one is missing or unavailable. The message lists every backend tried with its reason, and ends
 * with what to do next, after where the usual causes are written down ({@code docs/errors/no-backend.md}).
 */
public final class BackendUnavailableException extends BottleException {
    private static final long serialVersionUID = 1L;
    /** Where the message sends the reader for the usual causes and fixes. */
    public static final String HELP = "more: docs/errors/no-backend.md in the bottles repository";

    private final transient Map<String, String> reasons;

    /**
     * Creates the exception.
     *
     * @param summary one sentence saying what was looked for
     * @param reasons each backend tried (by id, or by provider class for one that failed to load)
     *     and why it could not be used, in the order tried
     * @param fix what the caller can do next
     */
    public BackendUnavailableException(String summary, Map<String, String> reasons, String fix) {
        super(render(summary, reasons, fix));
        this.reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
    }

    /**
     * Returns why each backend tried could not be used.
     *
     * @return backend id (or provider description) to reason, in the order tried
     */
    public Map<String, String> reasons() {
        return reasons;
    }

    private static String render(String summary, Map<String, String> reasons, String fix) {
        String lines = reasons.isEmpty()
                ? "\n  (no backend is on the classpath)"
                : reasons.entrySet().stream()
                        .map(e -> "\n  - " + e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining());
        return summary + lines + "\n(" + HELP + ")\n" + fix;
    }
}
