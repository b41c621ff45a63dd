/** The demo's in-container program (JDK classes only): the upstream the demo starts, and the agent's fetch. */
@NullMarked
package dev.bottles.examples.demo.tool;

import org.jspecify.annotations.NullMarked;
