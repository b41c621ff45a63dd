/** The fake shell and the fake smolvm behind the testkit's public doubles. Not API. */
@NullMarked
package dev.bottles.testkit.internal;

import org.jspecify.annotations.NullMarked;
