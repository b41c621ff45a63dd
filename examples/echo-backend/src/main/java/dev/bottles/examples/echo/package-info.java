/** A third-party bottle backend, as anyone would write one: the SPI and one {@code META-INF/services} line. */
@NullMarked
package dev.bottles.examples.echo;

import org.jspecify.annotations.NullMarked;
