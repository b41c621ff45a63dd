/** Reads Markdown files with YAML frontmatter into a small line-annotated tree. Not API. */
@NullMarked
package dev.bottles.internal.yaml;

import org.jspecify.annotations.NullMarked;
