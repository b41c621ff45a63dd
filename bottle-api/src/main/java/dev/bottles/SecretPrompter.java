package dev.bottles;

import java.io.Console;
import java.util.Map;
import java.util.Objects;

/**
 * Asks for the value of a secret env entry ({@code "?prompt"} in a bottle's {@code env}) at
 * prepare. The answer is forwarded to the bottle by name; it is never logged or written to disk.
 */
@FunctionalInterface
public interface SecretPrompter {

    /**
     * Asks for one secret.
     *
     * @param name the env variable the secret becomes in the bottle
     * @param prompt the bottle's prompt text, or a default naming the variable
     * @return the secret's value
     * @throws BottleException when no value can be had
     */
    String ask(String name, String prompt);

    /**
     * Returns a prompter that reads from the terminal without echo.
     *
     * @return the prompter; it fails when the JVM has no console
     */
    static SecretPrompter console() {
        return (name, prompt) -> {
            Console c = System.console();
            if (c == null) {
                throw new BottleException("secret " + name + " must be typed in, but this JVM has no console;"
                        + " run it in a terminal or give BottleSpec a SecretPrompter that answers without one");
            }
            char[] value = c.readPassword("%s: ", prompt);
            if (value == null) {
                throw new BottleException("no value was typed for secret " + name + " (end of input)");
            }
            return new String(value);
        };
    }

    /**
     * Returns a prompter that answers from a map, for tests and non-interactive use.
     *
     * @param answers secret name to value
     * @return the prompter; it fails for a name the map lacks
     */
    static SecretPrompter fromMap(Map<String, String> answers) {
        Map<String, String> copy = Map.copyOf(answers);
        return (name, prompt) -> {
            String v = copy.get(Objects.requireNonNull(name, "name"));
            if (v == null) {
                throw new BottleException(
                        "no answer for secret " + name + "; add it to the map given to" + " SecretPrompter.fromMap");
            }
            return v;
        };
    }
}
