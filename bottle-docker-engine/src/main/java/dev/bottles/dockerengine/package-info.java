/**
 * The Docker engine parts every backend that runs its bundle on a Docker engine shares: the engine
 * connection and its resources (networks, containers, images and builds, exec and logs), the
 * sidecar bundle's image and lifecycle, labels and labelled cleanup. For backend authors, not for
 * users: it registers no backend, and its types may change between releases
 * ({@code docs/architecture.md} §2).
 */
@NullMarked
package dev.bottles.dockerengine;

import org.jspecify.annotations.NullMarked;
