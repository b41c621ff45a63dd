/** The program inside a bottle's sidecar bundle container: its supervisor and the egress proxy. */
@NullMarked
package dev.bottles.bundle;

import org.jspecify.annotations.NullMarked;
