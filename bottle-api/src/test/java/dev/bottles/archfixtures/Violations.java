package dev.bottles.archfixtures;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bottles.internal.Suggestions;
import java.util.List;

/** Classes that break each shared rule, so the rules' own test can see them fail. */
public final class Violations {
    private Violations() {}

    /** Exposes Jackson types in public signatures, directly and as a type argument. */
    public static final class LeakyApi {
        public JsonNode node() {
            throw new UnsupportedOperationException();
        }

        public void take(List<JsonNode> nodes) {
            nodes.size();
        }

        private JsonNode hidden() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String toString() {
            return String.valueOf(hidden() == null);
        }
    }

    /** Uses another module's internals. */
    public static final class InternalsUser {
        public String hint() {
            return Suggestions.hint("x", List.of("y"), "keys");
        }
    }

    /** An exception outside the one root. */
    public static final class RogueException extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
