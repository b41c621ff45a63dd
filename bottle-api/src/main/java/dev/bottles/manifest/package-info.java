/** Describes bottles and agents: the model, the Markdown-with-frontmatter loader and a builder. */
@NullMarked
package dev.bottles.manifest;

import org.jspecify.annotations.NullMarked;
