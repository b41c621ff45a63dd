/** The cluster objects of a bottle, its launch, exec and teardown. Not API. */
@NullMarked
package dev.bottles.kubernetes.internal;

import org.jspecify.annotations.NullMarked;
