/**
 * Driving Claude Code in a bottle from Java: run a task headless ({@code --print --output-format
 * stream-json}), receive each event as it arrives as an immutable record, continue or resume a
 * session, stop it at a deadline.
 */
@NullMarked
package dev.bottles.claude;

import org.jspecify.annotations.NullMarked;
