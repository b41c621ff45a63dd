package dev.bottles.testkit.internal;

import dev.bottles.BottleException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses one smolvm subcommand's flags the way clap does, for the fake. */
final class SmolvmArgs {
    /** A usage error: clap prints it and exits 2. */
    static final class UsageError extends BottleException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    private final Map<String, String> aliases = new HashMap<>();
    private final Set<String> valued = new HashSet<>();
    private final Set<String> booleans = new HashSet<>();
    private final String usage;

    SmolvmArgs(String usage) {
        this.usage = usage;
    }

    SmolvmArgs value(String longName, String... shortNames) {
        valued.add(longName);
        aliases.put(longName, longName);
        for (String s : shortNames) {
            aliases.put(s, longName);
        }
        return this;
    }

    SmolvmArgs flag(String longName, String... shortNames) {
        booleans.add(longName);
        aliases.put(longName, longName);
        for (String s : shortNames) {
            aliases.put(s, longName);
        }
        return this;
    }

    /** Parsed flags, repeated values in order, and the argv after {@code --}. */
    record Parsed(Map<String, List<String>> values, Set<String> flags, List<String> trailing, boolean sawDashDash) {
        Optional<String> one(String name) {
            List<String> v = values.get(name);
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        boolean has(String flag) {
            return flags.contains(flag);
        }
    }

    Parsed parse(List<String> args) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                return new Parsed(values, flags, List.copyOf(args.subList(i + 1, args.size())), true);
            }
            String key = a;
            String inline = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(0, eq);
                inline = a.substring(eq + 1);
            }
            String name = aliases.get(key);
            if (name == null) {
                throw new UsageError("error: unexpected argument '" + a + "' found\n\nUsage: " + usage
                        + "\n\nFor more information, try '--help'.");
            }
            if (booleans.contains(name)) {
                flags.add(name);
                continue;
            }
            String v = inline;
            if (v == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageError("error: a value is required for '" + name + " <VALUE>' but none was supplied"
                            + "\n\nFor more information, try '--help'.");
                }
                v = args.get(++i);
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
        }
        return new Parsed(values, flags, List.of(), false);
    }

    String usage() {
        return usage;
    }
}
