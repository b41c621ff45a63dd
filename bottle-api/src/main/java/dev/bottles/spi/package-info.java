/**
 * The backend SPI: implement {@link dev.bottles.spi.BottleBackend} and register it in
 * {@code META-INF/services/dev.bottles.spi.BottleBackend} to run bottles on another runtime.
 */
@NullMarked
package dev.bottles.spi;

import org.jspecify.annotations.NullMarked;
