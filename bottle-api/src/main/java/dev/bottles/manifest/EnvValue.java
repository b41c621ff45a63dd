package dev.bottles.manifest;

import dev.bottles.ManifestException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of one {@code env} entry of a bottle, in one of the original's three forms.
 *
 * <ul>
 *   <li>{@code "${HOST_VAR}"}: {@link HostVariable}, copied from the host environment at prepare;
 *   <li>{@code "?"} or {@code "?prompt text"}: {@link Secret}, asked through the
 *       {@code SecretPrompter};
 *   <li>anything else: {@link Literal}, used verbatim.
 * </ul>
 *
 * <p>Host and secret values are forwarded by name and never written to a file or an argv.
 */
public sealed interface EnvValue {

    /**
     * Parses a raw manifest value.
     *
     * @param raw the value as written in the manifest
     * @return the parsed value
     */
    static EnvValue parse(String raw) {
        Objects.requireNonNull(raw, "raw");
        Matcher m = HostVariable.WHOLE.matcher(raw);
        if (m.matches()) {
            return new HostVariable(m.group(1));
        }
        if (raw.startsWith("?")) {
            return new Secret(raw.substring(1).strip());
        }
        return new Literal(raw);
    }

    /**
     * Returns the value as it would be written in a manifest.
     *
     * @return the raw form
     */
    String raw();

    /**
     * A value used verbatim. It must not contain a newline ({@code --env-file} cannot carry one).
     *
     * @param value the value
     */
    record Literal(String value) implements EnvValue {
        /**
         * Validates the value.
         *
         * @param value the value
         */
        public Literal {
            Objects.requireNonNull(value, "value");
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw ManifestException.of(
                        null,
                        "a literal env value contains a newline, which an env file cannot carry",
                        "put the value on one line, or forward it from the host with \"${HOST_VAR}\"");
            }
        }

        @Override
        public String raw() {
            return value;
        }
    }

    /**
     * A value copied from the host environment variable {@code variable} at prepare.
     *
     * @param variable the host variable's name
     */
    record HostVariable(String variable) implements EnvValue {
        static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
        static final Pattern WHOLE = Pattern.compile("^\\$\\{([A-Za-z_][A-Za-z0-9_]*)}$");

        /**
         * Validates the variable name.
         *
         * @param variable the host variable's name
         */
        public HostVariable {
            Objects.requireNonNull(variable, "variable");
            if (!NAME.matcher(variable).matches()) {
                throw ManifestException.of(
                        null,
                        "'" + variable + "' is not a valid environment variable name",
                        "use letters, digits and underscores, not starting with a digit");
            }
        }

        @Override
        public String raw() {
            return "${" + variable + "}";
        }
    }

    /**
     * A secret asked for at prepare through the {@code SecretPrompter}.
     *
     * @param prompt the text to show; empty for the default prompt
     */
    record Secret(String prompt) implements EnvValue {
        /**
         * Validates the prompt.
         *
         * @param prompt the text to show; empty for the default prompt
         */
        public Secret {
            Objects.requireNonNull(prompt, "prompt");
        }

        @Override
        public String raw() {
            return prompt.isEmpty() ? "?" : "?" + prompt;
        }
    }
}
