/** The README's main job: a demo bottle showing what the sidecars allow, refuse and inject. */
@NullMarked
package dev.bottles.examples.demo;

import org.jspecify.annotations.NullMarked;
