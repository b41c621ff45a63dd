/** Implementation of the facade: backend selection, host-side validation, event plumbing. Not API. */
@NullMarked
package dev.bottles.internal;

import org.jspecify.annotations.NullMarked;
