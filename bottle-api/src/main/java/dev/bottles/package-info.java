/** Prepares, launches and tears down bottles: the entry point of the SDK. */
@NullMarked
package dev.bottles;

import org.jspecify.annotations.NullMarked;
