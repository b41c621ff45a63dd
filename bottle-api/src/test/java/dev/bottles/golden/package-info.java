/** Golden-file assertions for tests in every module. */
@NullMarked
package dev.bottles.golden;

import org.jspecify.annotations.NullMarked;
