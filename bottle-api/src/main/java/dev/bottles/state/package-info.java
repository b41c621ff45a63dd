/** Host-side state: the bottle home, per-bottle state dirs, metadata and identities. */
@NullMarked
package dev.bottles.state;

import org.jspecify.annotations.NullMarked;
