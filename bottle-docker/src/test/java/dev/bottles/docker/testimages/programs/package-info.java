/** Programs that run inside test images (JDK classes only): an upstream that records what it saw, and an agent-side probe. */
@NullMarked
package dev.bottles.docker.testimages.programs;

import org.jspecify.annotations.NullMarked;
