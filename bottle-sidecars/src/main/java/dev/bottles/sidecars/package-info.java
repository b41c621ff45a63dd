/** Prepares the four bundle daemons (egress, pipelock, git-gate, supervise) for any backend. */
@NullMarked
package dev.bottles.sidecars;

import org.jspecify.annotations.NullMarked;
