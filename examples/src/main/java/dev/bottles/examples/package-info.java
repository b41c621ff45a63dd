/** Runnable programs that show how to embed bottles. */
@NullMarked
package dev.bottles.examples;

import org.jspecify.annotations.NullMarked;
