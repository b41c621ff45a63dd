package dev.bottles.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * What a cleanup removed (or, on a dry run, would remove) and what it could not remove.
 *
 * @param removed descriptions of what was removed, e.g. {@code container claude-bottle-x-ab12c}
 * @param failed descriptions of what could not be removed, with the reason
 */
public record CleanupReport(List<String> removed, List<String> failed) {

    /**
     * Copies the lists.
     *
     * @param removed descriptions of what was removed, e.g. {@code container claude-bottle-x-ab12c}
     * @param failed descriptions of what could not be removed, with the reason
     */
    public CleanupReport {
        removed = List.copyOf(removed);
        failed = List.copyOf(failed);
    }

    /**
     * Returns an empty report.
     *
     * @return the report
     */
    public static CleanupReport empty() {
        return new CleanupReport(List.of(), List.of());
    }

    /**
     * Combines this report with another.
     *
     * @param other the other report
     * @return a report listing both
     */
    public CleanupReport plus(CleanupReport other) {
        List<String> r = new ArrayList<>(removed);
        r.addAll(other.removed);
        List<String> f = new ArrayList<>(failed);
        f.addAll(other.failed);
        return new CleanupReport(r, f);
    }
}
