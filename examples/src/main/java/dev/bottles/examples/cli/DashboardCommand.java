package dev.bottles.examples.cli;

import dev.bottles.BottleException;
import dev.bottles.Bottles;
import dev.bottles.Decision;
import dev.bottles.Proposal;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.spi.BottleSummary;
import dev.bottles.state.BottleHome;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bottle dashboard}: the operator's console. Every bottle of this bottle home (whichever
 * process launched it) and their pending supervise proposals, oldest first, with keys to approve,
 * edit then approve, or reject with a reason. A decision is recorded for the launching program,
 * which applies it (a route goes live before the agent hears), answers the agent and audits it;
 * two dashboards never decide one proposal twice. Full screen through JLine (already the SDK's
 * terminal library for attach); {@code --once} prints what is pending and exits.
 */
@Command(
        name = "dashboard",
        mixinStandardHelpOptions = true,
        description = {
            "The operator's console: running bottles and the supervise proposals waiting for you.",
            "Keys: up/down (or k/j) choose, a approve, e edit in $EDITOR then approve, r reject with a reason;",
            "Tab to the bottles, then Enter attaches to the agent, x stops the bottle (state kept); q quits."
        })
final class DashboardCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    BottleCli parent;

    @Option(names = "--home", paramLabel = "DIR", description = "the bottle home")
    Path home;

    @Option(names = "--once", description = "print the pending proposals and exit")
    boolean once;

    @Option(
            names = "--format",
            paramLabel = "text|json",
            defaultValue = "text",
            description = "the format of --once: ${COMPLETION-CANDIDATES}")
    StartCommand.Format format;

    @Override
    public Integer call() throws IOException {
        Io io = parent.io();
        OperatorQueue queue = new OperatorQueue(BottleHome.resolve(home, io.env()));
        if (once) {
            List<OperatorQueue.Pending> pending = queue.pending();
            if (format == StartCommand.Format.json) {
                io.out().println(queue.json(pending));
            } else if (pending.isEmpty()) {
                io.out().println("nothing is waiting for you");
            } else {
                pending.forEach(p -> describe(queue, p, io.out(), false));
            }
            return ExitCodes.OK;
        }
        return new Screen(queue, io).run();
    }

    static void describe(OperatorQueue queue, OperatorQueue.Pending w, PrintWriter out, boolean selected) {
        Proposal p = w.proposal();
        out.printf(
                "%s %s  %-24s %-18s %s%s%n",
                selected ? ">" : " ",
                p.createdAt().toString().substring(11, 19),
                p.bottle(),
                p.kind().tool(),
                p.route() != null ? p.route().host() : "Dockerfile",
                w.decided() ? "  (decided; being applied)" : w.ownProgram() ? "  (its program decides)" : "");
        out.println("      why: " + p.justification().replace('\n', ' '));
        for (String d : queue.diff(p)) {
            out.println("      " + d);
        }
    }

    /** The full-screen console. */
    private static final class Screen {
        private final OperatorQueue queue;
        private final Io io;
        private static final int NONE = -2;
        private int selected;
        private int chosen;
        private boolean onBottles;
        private List<BottleSummary> bottles = List.of();
        private String listError = "";
        private volatile String status = "";
        private volatile boolean dirty = true;

        Screen(OperatorQueue queue, Io io) {
            this.queue = queue;
            this.io = io;
        }

        /**
         * Runs the console; an attach leaves it (the agent gets a terminal of its own, as only one
         * system terminal can be open) and comes back to it when the agent exits.
         */
        @SuppressWarnings("deprecation") // JLine's only way to share the JVM's one system terminal (sbt does the same)
        int run() throws IOException {
            // one system terminal for this JVM, never closed (closing it closes stdout); an attach
            // from here borrows it
            Terminal t = TerminalBuilder.builder().system(true).build();
            TerminalBuilder.setTerminalOverride(t);
            while (true) {
                BottleSummary attachTo = console(t);
                if (attachTo == null) {
                    return ExitCodes.OK;
                }
                attach(attachTo);
                dirty = true;
            }
        }

        /** Shows the console until the operator quits (null) or asks to attach to a bottle. */
        private @org.jspecify.annotations.Nullable BottleSummary console(Terminal t) throws IOException {
            {
                Attributes saved = t.enterRawMode();
                try {
                    long drawn = 0;
                    List<OperatorQueue.Pending> pending = List.of();
                    while (true) {
                        if (System.nanoTime() - drawn > 1_000_000_000L || dirty) {
                            pending = queue.pending();
                            selected = Math.max(0, Math.min(selected, pending.size() - 1));
                            bottles = listBottles();
                            chosen = Math.max(0, Math.min(chosen, bottles.size() - 1));
                            draw(t, pending);
                            drawn = System.nanoTime();
                            dirty = false;
                        }
                        int c = key(50);
                        if (c == NONE) {
                            continue;
                        }
                        dirty = true;
                        if (c < 0 || c == 'q') {
                            return null;
                        }
                        if (c == 27 && key(50) == '[') {
                            int arrow = key(50);
                            c = arrow == 'A' ? 'k' : arrow == 'B' ? 'j' : 0;
                        }
                        OperatorQueue.Pending w = pending.isEmpty() ? null : pending.get(selected);
                        BottleSummary b = bottles.isEmpty() ? null : bottles.get(chosen);
                        switch (c) {
                            case '\t' -> onBottles = !onBottles;
                            case 'j' -> move(1);
                            case 'k' -> move(-1);
                            case 'a' -> decide(w, Decision.approve());
                            case 'r' -> {
                                if (w != null) {
                                    t.setAttributes(saved);
                                    Console console = System.console();
                                    String reason = console == null
                                            ? null
                                            : console.readLine("reason for rejecting "
                                                    + w.proposal().id() + ": ");
                                    t.enterRawMode();
                                    decide(
                                            w,
                                            Decision.reject(
                                                    reason == null || reason.isBlank()
                                                            ? "rejected by the" + " operator"
                                                            : reason.strip()));
                                }
                            }
                            case 'e' -> {
                                if (w != null) {
                                    t.setAttributes(saved);
                                    Decision d = edit(w.proposal());
                                    t.enterRawMode();
                                    if (d != null) {
                                        decide(w, d);
                                    }
                                }
                            }
                            case '\r', '\n' -> {
                                if (b != null && onBottles) {
                                    return b;
                                }
                            }
                            case 'x' -> {
                                if (b != null && onBottles) {
                                    stop(t, saved, b);
                                }
                            }
                            default -> {}
                        }
                    }
                } finally {
                    t.setAttributes(saved);
                    t.puts(InfoCmp.Capability.clear_screen);
                    t.flush();
                }
            }
        }

        /**
         * Reads a key from stdin without a thread left blocked on it, so whatever runs next on this
         * terminal (the agent, $EDITOR, a reason) gets every key.
         */
        private static int key(long waitMillis) throws IOException {
            long deadline = System.nanoTime() + waitMillis * 1_000_000L;
            do {
                if (System.in.available() > 0) {
                    return System.in.read();
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            } while (System.nanoTime() < deadline);
            return NONE;
        }

        private void move(int by) {
            if (onBottles) {
                chosen += by;
            } else {
                selected += by;
            }
        }

        private List<BottleSummary> listBottles() {
            try {
                listError = "";
                return Bottles.list();
            } catch (RuntimeException e) {
                listError = String.valueOf(e.getMessage());
                return List.of();
            }
        }

        /** Puts the bottle's agent on this terminal until it exits, then comes back. */
        private void attach(BottleSummary b) throws IOException {
            io.out().println("attached to " + b.identity() + "; when the agent exits you are back in the dashboard");
            io.out().flush();
            try {
                int code = AttachCommand.attach(Bottles.reach(b.identity(), queue.home()), List.of(), io);
                status = "the agent in " + b.identity() + " exited with " + code;
                if (code == 0) {
                    return;
                }
            } catch (RuntimeException e) {
                status = "cannot attach to " + b.identity() + ": " + e.getMessage();
            }
            // what went wrong stays on the screen until the operator has read it
            io.out().println();
            io.out().println(status + "; press Enter to return to the dashboard");
            io.out().flush();
            Console console = System.console();
            if (console != null) {
                console.readLine();
            }
        }

        /** Asks, then stops the bottle in the background (its program keeps the state and closes it). */
        private void stop(Terminal t, Attributes saved, BottleSummary b) throws IOException {
            status = "stop " + b.identity() + "? its state is kept for resume (y/n)";
            draw(t, queue.pending());
            int answer;
            do {
                answer = key(60_000);
            } while (answer == NONE);
            if (answer != 'y' && answer != 'Y') {
                status = "not stopped";
                return;
            }
            status = "stopping " + b.identity() + " ...";
            Thread stopper = new Thread(
                    () -> {
                        try {
                            status = StopCommand.stop(Bottles.reach(b.identity(), queue.home()));
                        } catch (RuntimeException e) {
                            status = "cannot stop " + b.identity() + ": " + e.getMessage();
                        }
                        dirty = true;
                    },
                    "dashboard-stop");
            stopper.setDaemon(true);
            stopper.start();
        }

        private void decide(OperatorQueue.@Nullable Pending w, Decision d) {
            if (w == null) {
                return;
            }
            try {
                status = queue.decide(w.proposal(), d)
                        ? (d.approved() ? "approved " : "rejected ")
                                + w.proposal().id()
                        : w.proposal().id() + " was already decided elsewhere";
            } catch (BottleException e) {
                status = String.valueOf(e.getMessage());
            }
        }

        /** Opens the route or the Dockerfile in $EDITOR; returns the approval, or null when left empty. */
        private @Nullable Decision edit(Proposal p) throws IOException {
            Path f = Files.createTempFile("bottle-proposal-", p.route() != null ? ".route" : ".Dockerfile");
            try {
                String text = p.route() != null
                        ? p.route().host() + "\n" + String.join("\n", p.route().pathAllowlist()) + "\n"
                        : p.dockerfile();
                Files.writeString(f, text == null ? "" : text, StandardCharsets.UTF_8);
                String editor = io.env().getOrDefault("VISUAL", io.env().getOrDefault("EDITOR", "vi"));
                Process ed = new ProcessBuilder("sh", "-c", editor + " \"$1\"", "editor", f.toString())
                        .inheritIO()
                        .start();
                ed.waitFor();
                String edited = Files.readString(f, StandardCharsets.UTF_8);
                if (edited.isBlank()) {
                    status = "left empty: not decided";
                    return null;
                }
                if (p.route() == null) {
                    return Decision.approve(edited);
                }
                List<String> lines = edited.lines()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty())
                        .toList();
                return Decision.approve(new EgressRoute(lines.get(0), lines.subList(1, lines.size()), null, null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (RuntimeException e) {
                status = "not decided: " + e.getMessage();
                return null;
            } finally {
                Files.deleteIfExists(f);
            }
        }

        private void draw(Terminal t, List<OperatorQueue.Pending> pending) {
            PrintWriter out = t.writer();
            t.puts(InfoCmp.Capability.clear_screen);
            out.println("bottle dashboard  "
                    + Instant.now().toString().substring(0, 19).replace('T', ' ')
                    + "  (a approve, e edit+approve, r reject, j/k move, Tab bottles, q quit)\r");
            out.println("\r");
            out.println((onBottles ? "> " : "") + "BOTTLES  (Tab here, Enter attach, x stop)\r");
            if (!listError.isEmpty()) {
                out.println("  (cannot list: " + listError + ")\r");
            } else if (bottles.isEmpty()) {
                out.println("  none running\r");
            }
            out.printf(
                    "  %-12s %-26s %-14s %-28s %-16s %-6s %s\r%n",
                    "BACKEND", "IDENTITY", "AGENT", "DAEMONS", "STATE", "AGE", "OWNER");
            Instant now = Instant.now();
            for (int i = 0; i < bottles.size(); i++) {
                out.println((onBottles && i == chosen ? "> " : "  ") + queue.row(bottles.get(i), now) + "\r");
            }
            out.println("\r");
            out.println((onBottles ? "" : "> ") + "WAITING FOR YOU (oldest first)\r");
            if (pending.isEmpty()) {
                out.println("  nothing\r");
            }
            for (int i = 0; i < pending.size(); i++) {
                StringWriter sw = new StringWriter();
                describe(queue, pending.get(i), new PrintWriter(sw), !onBottles && i == selected);
                sw.toString().lines().forEach(l -> out.println(l + "\r"));
            }
            out.println("\r");
            out.println(status + "\r");
            out.flush();
        }
    }
}
