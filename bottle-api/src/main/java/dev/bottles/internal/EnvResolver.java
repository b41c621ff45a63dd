package dev.bottles.internal;

import dev.bottles.BottleException;
import dev.bottles.SecretPrompter;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EnvValue;
import dev.bottles.spi.ResolvedEnv;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Turns a bottle's {@code env} into literal and forwarded values, asking for secrets. */
public final class EnvResolver {
    private EnvResolver() {}

    /**
     * Resolves a bottle's environment. Run {@link HostValidator} first.
     *
     * @param bottle the bottle
     * @param hostEnv the host environment
     * @param prompter who asks for secrets, or null when the bottle has none
     * @return the resolved environment
     * @throws BottleException when a host variable vanished or the prompter gives no value
     */
    public static ResolvedEnv resolve(
            BottleDefinition bottle, Map<String, String> hostEnv, @Nullable SecretPrompter prompter) {
        Map<String, String> literals = new LinkedHashMap<>();
        Map<String, String> forwarded = new LinkedHashMap<>();
        for (Map.Entry<String, EnvValue> e : bottle.env().entrySet()) {
            String name = e.getKey();
            EnvValue v = e.getValue();
            if (v instanceof EnvValue.Literal l) {
                literals.put(name, l.value());
            } else if (v instanceof EnvValue.HostVariable hv) {
                String value = hostEnv.get(hv.variable());
                if (value == null) {
                    throw new BottleException("host variable " + hv.variable() + " (for env " + name + ") is not set;"
                            + " export it before launching");
                }
                forwarded.put(name, value);
            } else if (v instanceof EnvValue.Secret s) {
                if (prompter == null) {
                    throw new BottleException(
                            "env " + name + " is a secret to ask for, but no SecretPrompter was given");
                }
                String prompt = s.prompt().isEmpty() ? "Value for " + name : s.prompt();
                String value = prompter.ask(name, prompt);
                if (value == null) {
                    throw new BottleException("the SecretPrompter gave no value for " + name);
                }
                forwarded.put(name, value);
            }
        }
        return new ResolvedEnv(literals, forwarded);
    }
}
