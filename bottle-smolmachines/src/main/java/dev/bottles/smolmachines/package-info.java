/** Runs the agent in a smolvm microVM, with its sidecar bundle in Docker. */
@NullMarked
package dev.bottles.smolmachines;

import org.jspecify.annotations.NullMarked;
