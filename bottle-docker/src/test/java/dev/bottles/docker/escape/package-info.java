/** The sandbox-escape suite (the original's PRD 0022), written against the backend SPI. */
@NullMarked
package dev.bottles.docker.escape;

import org.jspecify.annotations.NullMarked;
