/** Runs bottles on a Docker engine: a private network, the sidecar bundle and the agent container. */
@NullMarked
package dev.bottles.docker;

import org.jspecify.annotations.NullMarked;
