package dev.bottles.internal.yaml;

import java.util.List;
import java.util.Optional;

/** A node of a frontmatter document, with the 1-based file line it starts on. */
public sealed interface YamlNode {

    /**
     * Returns the 1-based line of the file this node starts on.
     *
     * @return the line
     */
    int line();

    /**
     * Names this node's kind for error messages.
     *
     * @return e.g. "a list"
     */
    String kind();

    /**
     * A scalar, kept as its text: no implicit type coercion.
     *
     * @param text the scalar's text
     * @param line the line
     */
    record Scalar(String text, int line) implements YamlNode {
        @Override
        public String kind() {
            return "a value";
        }
    }

    /**
     * An empty value ({@code key:} with nothing after it, or {@code ~}/{@code null}).
     *
     * @param line the line
     */
    record Null(int line) implements YamlNode {
        @Override
        public String kind() {
            return "nothing";
        }
    }

    /**
     * A sequence.
     *
     * @param items the items
     * @param line the line
     */
    record Sequence(List<YamlNode> items, int line) implements YamlNode {
        /** Copies the items. */
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /**
     * A mapping with unique scalar keys, in document order.
     *
     * @param entries the entries
     * @param line the line
     */
    record Mapping(List<Entry> entries, int line) implements YamlNode {
        /** Copies the entries. */
        public Mapping {
            entries = List.copyOf(entries);
        }

        /**
         * Looks up an entry by key.
         *
         * @param key the key
         * @return the entry, if present
         */
        public Optional<Entry> get(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst();
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /**
     * One key of a mapping and its value.
     *
     * @param key the key
     * @param line the key's line
     * @param value the value
     */
    record Entry(String key, int line, YamlNode value) {}
}
