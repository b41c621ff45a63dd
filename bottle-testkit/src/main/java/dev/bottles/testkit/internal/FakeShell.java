package dev.bottles.testkit.internal;

import dev.bottles.testkit.ExecReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The commands a {@code FakeBackend} answers without a rule: {@code echo [-n]}, {@code true},
 * {@code false}, {@code sleep N}, {@code env}, {@code printenv NAME}, {@code pwd}, {@code exit N}
 * and {@code sh -c} scripts of those joined by {@code ;} and {@code &&}, with {@code >&2} to send
 * {@code echo} to stderr. Quotes (single and double) group words; nothing else of a shell is
 * imitated, and anything else is not answered.
 */
public final class FakeShell {
    /** The working directory the fake reports. */
    public static final String WORKDIR = "/workspace";

    private final Map<String, String> env;

    /**
     * Creates a shell with an environment.
     *
     * @param env what {@code env} and {@code printenv} see
     */
    public FakeShell(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * Runs a command.
     *
     * @param argv the command
     * @return the reply, or empty when the command is not one this shell knows
     */
    public Optional<ExecReply> run(List<String> argv) {
        if (argv.size() == 3
                && (argv.get(0).equals("sh") || argv.get(0).equals("/bin/sh"))
                && argv.get(1).equals("-c")) {
            return script(argv.get(2));
        }
        Result r = new Result();
        return command(argv, r) ? Optional.of(r.reply()) : Optional.empty();
    }

    private Optional<ExecReply> script(String text) {
        Result r = new Result();
        for (List<List<String>> chain : parse(text)) {
            boolean ok = true;
            for (List<String> cmd : chain) {
                if (!ok) {
                    break;
                }
                if (!cmd.isEmpty() && cmd.get(0).equals("exit")) {
                    r.exit = cmd.size() > 1 ? Integer.parseInt(cmd.get(1)) : r.exit;
                    return Optional.of(r.reply());
                }
                if (!command(cmd, r)) {
                    r.err.append("sh: ").append(cmd.get(0)).append(": not found\n");
                    r.exit = 127;
                }
                ok = r.exit == 0;
            }
        }
        return Optional.of(r.reply());
    }

    private boolean command(List<String> argv, Result r) {
        if (argv.isEmpty()) {
            return true;
        }
        List<String> args = new ArrayList<>(argv.subList(1, argv.size()));
        boolean toErr = args.remove(">&2") | args.remove("1>&2");
        StringBuilder out = toErr ? r.err : r.out;
        switch (argv.get(0)) {
            case "echo" -> {
                boolean newline = true;
                if (!args.isEmpty() && args.get(0).equals("-n")) {
                    newline = false;
                    args.remove(0);
                }
                out.append(String.join(" ", args)).append(newline ? "\n" : "");
                r.exit = 0;
            }
            case "true" -> r.exit = 0;
            case "false" -> r.exit = 1;
            case "sleep" -> {
                r.duration = r.duration.plus(Duration.ofMillis((long) (Double.parseDouble(args.get(0)) * 1000)));
                r.exit = 0;
            }
            case "env" -> {
                env.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
                r.exit = 0;
            }
            case "printenv" -> {
                String v = args.isEmpty() ? null : env.get(args.get(0));
                if (v != null) {
                    out.append(v).append('\n');
                }
                r.exit = v == null ? 1 : 0;
            }
            case "pwd" -> {
                out.append(WORKDIR).append('\n');
                r.exit = 0;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Splits a script into {@code ;}-separated chains of {@code &&}-joined commands of words. */
    static List<List<List<String>>> parse(String text) {
        List<List<List<String>>> chains = new ArrayList<>();
        List<List<String>> chain = new ArrayList<>();
        List<String> cmd = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)
                    || c == ';'
                    || (c == '&' && i + 1 < text.length() && text.charAt(i + 1) == '&')) {
                if (inWord) {
                    cmd.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (c == ';' || c == '\n') {
                    chain.add(cmd);
                    chains.add(chain);
                    chain = new ArrayList<>();
                    cmd = new ArrayList<>();
                } else if (c == '&') {
                    chain.add(cmd);
                    cmd = new ArrayList<>();
                    i++;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            cmd.add(word.toString());
        }
        chain.add(cmd);
        chains.add(chain);
        return chains;
    }

    private static final class Result {
        final StringBuilder out = new StringBuilder();
        final StringBuilder err = new StringBuilder();
        int exit;
        Duration duration = Duration.ZERO;

        ExecReply reply() {
            return new ExecReply(exit, out.toString(), err.toString(), duration);
        }
    }
}
