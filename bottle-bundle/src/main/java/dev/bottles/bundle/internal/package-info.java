/** The egress proxy's Netty handlers and the bundle's internals; not API. */
@NullMarked
package dev.bottles.bundle.internal;

import org.jspecify.annotations.NullMarked;
