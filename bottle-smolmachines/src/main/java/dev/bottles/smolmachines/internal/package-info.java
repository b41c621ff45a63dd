/** The smolvm CLI wrapper and the smolmachines launch. Not API. */
@NullMarked
package dev.bottles.smolmachines.internal;

import org.jspecify.annotations.NullMarked;
