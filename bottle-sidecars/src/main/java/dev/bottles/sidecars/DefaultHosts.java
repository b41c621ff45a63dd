package dev.bottles.sidecars;

import java.util.List;

/**
 * The hosts Claude Code needs, allowed in every bottle as plain routes (no credential), as the
 * original's {@code DEFAULT_ALLOWLIST} did. A manifest route for one of
 * them wins.
 */
public final class DefaultHosts {
    /** The hosts, in the original's order. */
    public static final List<String> CLAUDE_CODE = List.of(
            "api.anthropic.com",
            "statsig.anthropic.com",
            "sentry.io",
            "claude.ai",
            "platform.claude.com",
            "downloads.claude.ai",
            "raw.githubusercontent.com");

    private DefaultHosts() {}
}
