/** YAML and JSON rendering for the sidecar configs. Not API. */
@NullMarked
package dev.bottles.sidecars.internal;

import org.jspecify.annotations.NullMarked;
