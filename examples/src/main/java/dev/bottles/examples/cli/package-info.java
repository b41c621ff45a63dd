/** The {@code bottle} command line: the original's commands on top of the SDK. */
@NullMarked
package dev.bottles.examples.cli;

import org.jspecify.annotations.NullMarked;
