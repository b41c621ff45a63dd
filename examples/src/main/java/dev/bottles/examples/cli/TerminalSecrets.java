package dev.bottles.examples.cli;

import dev.bottles.BottleException;
import dev.bottles.SecretPrompter;
import java.io.Console;

/**
 * Asks for a bottle's {@code ?} secrets on the terminal, without echo, once each per launch. With
 * no terminal it fails naming the variable and the way to forward the value from the environment
 * instead.
 */
final class TerminalSecrets implements SecretPrompter {
    @Override
    public String ask(String name, String prompt) {
        Console c = System.console();
        if (c == null) {
            throw new BottleException("the bottle asks for secret " + name + " (\"" + prompt + "\"), but bottle has no"
                    + " terminal to ask on. Run it in a terminal, or forward the value from the environment instead:"
                    + " in the bottle's env write " + name + ": \"${" + name + "}\" and export " + name + " before"
                    + " running bottle");
        }
        char[] value = c.readPassword("%s (%s, not echoed): ", prompt, name);
        if (value == null || value.length == 0) {
            throw new BottleException("no value was typed for secret " + name + "; nothing was launched");
        }
        return new String(value);
    }
}
