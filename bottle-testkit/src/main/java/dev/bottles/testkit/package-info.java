/** Fakes, a backend contract test and a JUnit 5 extension for testing code that uses bottles. */
@NullMarked
package dev.bottles.testkit;

import org.jspecify.annotations.NullMarked;
