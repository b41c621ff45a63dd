/** The engine seam over docker-java and the docker backend's launch machinery. Not API. */
@NullMarked
package dev.bottles.docker.internal;

import org.jspecify.annotations.NullMarked;
