package dev.bottles.spi;

/**
 * What a cleanup should do.
 *
 * @param dryRun report what would be removed without removing it
 */
public record CleanupRequest(boolean dryRun) {

    /**
     * Returns a request that removes things.
     *
     * @return the request
     */
    public static CleanupRequest remove() {
        return new CleanupRequest(false);
    }

    /**
     * Returns a request that only reports.
     *
     * @return the request
     */
    public static CleanupRequest reportOnly() {
        return new CleanupRequest(true);
    }
}
