package dev.bottles.testkit;

import dev.bottles.BottleException;
import dev.bottles.BottleLaunchException;
import dev.bottles.Decision;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.Phase;
import dev.bottles.Proposal;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.sidecars.AgentEnvironment;
import dev.bottles.sidecars.Daemon;
import dev.bottles.sidecars.Egress;
import dev.bottles.sidecars.Endpoints;
import dev.bottles.sidecars.SidecarBundle;
import dev.bottles.sidecars.SidecarPlans;
import dev.bottles.spi.Availability;
import dev.bottles.spi.BackendBottle;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleEvents;
import dev.bottles.spi.BottlePlan;
import dev.bottles.spi.BottleSummary;
import dev.bottles.spi.CleanupReport;
import dev.bottles.spi.CleanupRequest;
import dev.bottles.spi.PrepareRequest;
import dev.bottles.spi.Subnet;
import dev.bottles.spi.SubnetPool;
import dev.bottles.state.ProposalQueue;
import dev.bottles.state.SecureFiles;
import dev.bottles.state.StateDir;
import dev.bottles.testkit.internal.FakeShell;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A complete in-memory backend for testing code that runs bottles, with no engine.
 *
 * <p>It runs the real host-side validation (through the facade) and the real sidecar preparers, so
 * plans, state files and policy answers are what a real backend would produce. Launch walks the
 * docker backend's steps ({@code create-network}, {@code start-bundle}, {@code start-agent},
 * {@code provision}) as named in-memory resources, so a failed launch rolls them back just as a
 * real one must. Commands are answered by rules ({@link #onExec(Predicate)}), else by a few
 * built-ins ({@code echo}, {@code true}, {@code false}, {@code sleep}, {@code env},
 * {@code printenv}, {@code pwd}, {@code sh -c} of those), else with exit 127. Streaming execs
 * deliver a reply's output line by line and record what they were given on standard input
 * ({@link #inputs}); {@code copyTo} and {@code copyFrom} work on an in-memory file tree per bottle
 * ({@link #files}), after the same archive checks a real bottle makes. Script Claude Code's
 * {@code stream-json} output with {@link ClaudeScript} to test code built on
 * {@code dev.bottles.claude.ClaudeCode}.
 *
 * <pre>{@code
 * FakeBackend fake = new FakeBackend();
 * fake.onExec(argv -> argv.get(0).equals("claude")).reply(0, "done\n", "");
 * try (RunningBottle b = Bottles.using(fake).prepare(spec).launch()) {
 *     assertEquals("done\n", b.exec("claude", "-p", "hi").stdout());
 * }
 * assertEquals(FakeEvent.Kind.CLOSED, fake.events().get(fake.events().size() - 1).kind());
 * }</pre>
 *
 * <p>Registered as a service with id {@code fake} and the lowest priority, so {@code
 * BOTTLE_BACKEND=fake} selects it and discovery never prefers it to a real backend.
 */
public final class FakeBackend implements BottleBackend {
    /** The backend's id. */
    public static final String ID = "fake";
    /** The setting naming a launch step to fail at, e.g. {@code start-agent}. */
    public static final String FAIL_LAUNCH_AT = "FAKE_FAIL_LAUNCH_AT";
    /** The launch steps, in order. */
    public static final List<String> LAUNCH_STEPS =
            List.of("create-network", "start-bundle", "start-agent", "provision");

    private final Clock clock;
    private final List<FakeEvent> events = new CopyOnWriteArrayList<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<String, Set<String>> resources = new ConcurrentHashMap<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile Availability availability = Availability.available("fake backend (in memory)");
    private volatile @Nullable String nextLaunchFailure;

    /** Creates a fake on the system clock (the constructor {@code ServiceLoader} uses). */
    public FakeBackend() {
        this(Clock.systemUTC());
    }

    /**
     * Creates a fake whose events are timed by a given clock.
     *
     * @param clock the clock
     */
    public FakeBackend(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public Availability probe() {
        return availability;
    }

    /**
     * Makes {@link #probe()} report this availability, to test backend selection.
     *
     * @param a what probe reports
     * @return this fake
     */
    public FakeBackend availability(Availability a) {
        this.availability = Objects.requireNonNull(a, "a");
        return this;
    }

    /**
     * Starts a rule for commands the predicate matches; rules added later win.
     *
     * @param matcher tests the argv
     * @return the rule's builder; call {@link ExecStub#reply} to register it
     */
    public ExecStub onExec(Predicate<List<String>> matcher) {
        return new ExecStub(Objects.requireNonNull(matcher, "matcher"));
    }

    /**
     * Starts a rule for commands that begin with these words.
     *
     * @param prefix e.g. {@code "git", "push"}
     * @return the rule's builder
     */
    public ExecStub onExec(String... prefix) {
        List<String> p = List.of(prefix);
        return onExec(
                argv -> argv.size() >= p.size() && argv.subList(0, p.size()).equals(p));
    }

    /**
     * Makes the next launch fail at a step, after creating what the steps before it create.
     *
     * @param step one of {@link #LAUNCH_STEPS}
     * @return this fake
     */
    public FakeBackend failNextLaunchAt(String step) {
        if (!LAUNCH_STEPS.contains(step)) {
            throw new IllegalArgumentException("unknown launch step " + step + "; use one of " + LAUNCH_STEPS);
        }
        this.nextLaunchFailure = step;
        return this;
    }

    /**
     * Returns everything that happened, in order.
     *
     * @return the events
     */
    public List<FakeEvent> events() {
        return List.copyOf(events);
    }

    /**
     * Returns the events of one bottle.
     *
     * @param identity the bottle
     * @return its events, in order
     */
    public List<FakeEvent> events(String identity) {
        return events.stream().filter(e -> e.identity().equals(identity)).toList();
    }

    /**
     * Returns the commands run in a bottle.
     *
     * @param identity the bottle
     * @return each command's argv, in order
     */
    public List<List<String>> commands(String identity) {
        return events(identity).stream()
                .filter(e -> e.kind() == FakeEvent.Kind.EXEC)
                .map(FakeEvent::argv)
                .toList();
    }

    /**
     * Returns what streaming execs in a bottle were given on standard input, in order.
     *
     * @param identity the bottle
     * @return each input, as UTF-8 text
     */
    public List<String> inputs(String identity) {
        List<String> l = inputs.get(identity);
        return l == null ? List.of() : List.copyOf(l);
    }

    /**
     * Returns the files {@code copyTo} put into a bottle (and {@code copyFrom} reads).
     *
     * @param identity the bottle
     * @return absolute path to content, sorted
     */
    public SortedMap<String, byte[]> files(String identity) {
        SortedMap<String, byte[]> f = files.get(identity);
        return f == null ? new TreeMap<>() : new TreeMap<>(f);
    }

    /**
     * Returns what a bottle still holds (networks, containers), as a real engine would show it.
     *
     * @param identity the bottle
     * @return descriptions such as {@code container claude-bottle-x-ab12c}; empty when all is gone
     */
    public Set<String> resources(String identity) {
        Set<String> r = resources.get(identity);
        return r == null ? Set.of() : Set.copyOf(r);
    }

    /**
     * Returns the identities of bottles launched and not yet closed.
     *
     * @return the identities
     */
    public Set<String> running() {
        return Set.copyOf(running.keySet());
    }

    @Override
    public BottlePlan prepare(PrepareRequest request) {
        SidecarPlans sidecars = SidecarPlans.prepare(request, "FROM claude-bottle:latest\n");
        Subnet subnet = SubnetPool.from(request.settings()).preferred(request.identity());
        Map<String, String> agentEnv = AgentEnvironment.compose(
                sidecars, Endpoints.inBundle(subnet.bundleIp(), sidecars.bundle()), request.env());
        SecureFiles.writePrivate(request.state().agentDir().resolve("agent.env"), AgentEnvironment.envFile(agentEnv));
        SecureFiles.writePrivate(
                request.state().agentDir().resolve("prompt.txt"),
                request.agent().prompt());
        record(FakeEvent.Kind.PREPARED, request.identity(), List.of());
        return new FakeBottlePlan(
                request.identity(),
                ID,
                request.agent().name(),
                request.state().path(),
                sidecars,
                subnet,
                agentEnv,
                request.env(),
                request.settings().get(FAIL_LAUNCH_AT).orElse(null));
    }

    @Override
    public BackendBottle launch(BottlePlan plan, BottleEvents bottleEvents) {
        if (!(plan instanceof FakeBottlePlan p)) {
            throw new IllegalArgumentException("FakeBackend launches only its own plans, not "
                    + plan.getClass().getName());
        }
        String id = p.identity();
        String failAt = nextLaunchFailure != null ? nextLaunchFailure : p.failLaunchAt();
        nextLaunchFailure = null;
        Set<String> held = Collections.synchronizedSet(new LinkedHashSet<>());
        resources.put(id, held);
        Map<String, String> created = new LinkedHashMap<>();
        created.put("create-network", "network claude-bottle-net-" + id);
        created.put("start-bundle", "container " + SidecarBundle.containerName(id));
        created.put("start-agent", "container claude-bottle-" + id);
        for (String step : LAUNCH_STEPS) {
            if (step.equals(failAt)) {
                List<String> newestFirst = new ArrayList<>(held);
                Collections.reverse(newestFirst);
                newestFirst.forEach(held::remove);
                resources.remove(id);
                record(FakeEvent.Kind.LAUNCH_FAILED, id, List.of(step));
                throw new BottleLaunchException(
                        id,
                        step,
                        "failed as the test asked (" + FAIL_LAUNCH_AT + "=" + step + "); removed " + newestFirst,
                        null);
            }
            bottleEvents.run(Phase.LAUNCH, step, () -> {
                String r = created.get(step);
                if (r != null) {
                    held.add(r);
                }
            });
        }
        Running r = new Running(p);
        running.put(id, r);
        record(FakeEvent.Kind.LAUNCHED, id, List.of());
        return r;
    }

    @Override
    public List<BottleSummary> list() {
        return running.values().stream()
                .map(r -> new BottleSummary(
                        r.plan.identity(),
                        ID,
                        r.plan.agentName(),
                        r.plan.sidecars().bundle().daemons().stream()
                                .map(Daemon::wireName)
                                .toList(),
                        "running"))
                .toList();
    }

    /** Its bottles live in this process's memory: no reaper is needed. */
    @Override
    public boolean bottlesOutliveTheirOwner() {
        return false;
    }

    @Override
    public CleanupReport cleanup(CleanupRequest request) {
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : resources.entrySet()) {
            if (!running.containsKey(e.getKey()) && request.covers(e.getKey())) {
                removed.addAll(e.getValue());
                if (!request.dryRun()) {
                    resources.remove(e.getKey());
                }
            }
        }
        return new CleanupReport(removed, List.of());
    }

    private void record(FakeEvent.Kind kind, String identity, List<String> argv) {
        events.add(new FakeEvent(kind, identity, argv, clock.instant()));
    }

    private ExecReply answer(FakeBottlePlan plan, List<String> argv, ExecOptions options) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            if (r.matcher.test(argv)) {
                return r.reply.apply(argv);
            }
        }
        Map<String, String> env = new LinkedHashMap<>(plan.agentEnvironment());
        env.putAll(plan.env().forwardedValues());
        env.putAll(options.env());
        return new FakeShell(env)
                .run(argv)
                .orElseGet(() -> ExecReply.of(
                        127,
                        "",
                        argv.get(0) + ": command not found in FakeBackend; stub it with onExec(...).reply(...)\n"));
    }

    /** A rule being built; {@link #reply} registers it. */
    public final class ExecStub {
        private final Predicate<List<String>> matcher;
        private Duration duration = Duration.ZERO;

        private ExecStub(Predicate<List<String>> matcher) {
            this.matcher = matcher;
        }

        /**
         * Makes the command pretend to take this long; past the exec's timeout it times out.
         *
         * @param d the duration
         * @return this builder
         */
        public ExecStub taking(Duration d) {
            this.duration = Objects.requireNonNull(d, "d");
            return this;
        }

        /**
         * Registers a fixed reply.
         *
         * @param exitCode the exit code
         * @param stdout standard output
         * @param stderr standard error
         * @return the fake, for more rules
         */
        public FakeBackend reply(int exitCode, String stdout, String stderr) {
            ExecReply r = new ExecReply(exitCode, stdout, stderr, duration);
            return replyWith(argv -> r);
        }

        /**
         * Registers a reply computed from the argv.
         *
         * @param reply computes the reply
         * @return the fake, for more rules
         */
        public FakeBackend replyWith(Function<List<String>, ExecReply> reply) {
            rules.add(new Rule(matcher, reply));
            return FakeBackend.this;
        }
    }

    private final Map<String, List<String>> inputs = new ConcurrentHashMap<>();
    private final Map<String, SortedMap<String, byte[]>> files = new ConcurrentHashMap<>();

    private record Rule(Predicate<List<String>> matcher, Function<List<String>, ExecReply> reply) {}

    private final class Running implements BackendBottle {
        private final FakeBottlePlan plan;

        Running(FakeBottlePlan plan) {
            this.plan = plan;
        }

        @Override
        public String identity() {
            return plan.identity();
        }

        @Override
        public BottlePlan plan() {
            return plan;
        }

        @Override
        public ExecResult exec(List<String> argv, ExecOptions options) {
            if (!running.containsKey(plan.identity())) {
                throw new IllegalStateException("bottle " + plan.identity() + " is closed");
            }
            record(FakeEvent.Kind.EXEC, plan.identity(), argv);
            ExecReply r = answer(plan, argv, options);
            if (r.duration().compareTo(options.timeout()) > 0) {
                throw new ExecTimeoutException(
                        argv, options.timeout(), new ExecResult(-1, r.stdout(), r.stderr(), options.timeout()));
            }
            return new ExecResult(r.exitCode(), r.stdout(), r.stderr(), r.duration());
        }

        @Override
        public int execStreaming(
                List<String> argv,
                ExecOptions options,
                @Nullable InputStream stdin,
                OutputStream stdout,
                OutputStream stderr) {
            byte[] in;
            try {
                in = stdin == null ? new byte[0] : stdin.readAllBytes();
            } catch (IOException e) {
                throw new BottleException("cannot read the input (" + e + ")", e);
            }
            inputs.computeIfAbsent(plan.identity(), k -> new CopyOnWriteArrayList<>())
                    .add(new String(in, StandardCharsets.UTF_8));
            SortedMap<String, byte[]> tree = files.computeIfAbsent(plan.identity(), k -> new ConcurrentSkipListMap<>());
            String joined = String.join(" ", argv);
            try {
                if (joined.contains("tar -x -f - -C")) {
                    record(FakeEvent.Kind.EXEC, plan.identity(), argv);
                    FakeFiles.unpack(in, argv.get(argv.size() - 1), tree);
                    return 0;
                }
                if (argv.get(0).equals("tar") && argv.contains("-c")) {
                    record(FakeEvent.Kind.EXEC, plan.identity(), argv);
                    return FakeFiles.pack(
                            tree, argv.get(argv.indexOf("-C") + 1), argv.get(argv.size() - 1), stdout, stderr);
                }
                ExecResult r = exec(argv, options);
                for (String line : r.stdout().split("(?<=\n)")) {
                    stdout.write(line.getBytes(StandardCharsets.UTF_8));
                    stdout.flush();
                }
                stderr.write(r.stderr().getBytes(StandardCharsets.UTF_8));
                stderr.flush();
                return r.exitCode();
            } catch (IOException e) {
                throw new BottleException("cannot deliver the output (" + e + ")", e);
            }
        }

        @Override
        public void allowRoute(EgressRoute route) {
            Egress.allow(plan.sidecars().egress().routesFile(), plan.identity(), route);
            record(FakeEvent.Kind.EXEC, plan.identity(), List.of("allow-route", route.host()));
        }

        @Override
        public void settle(int exitCode) {
            record(FakeEvent.Kind.SETTLED, plan.identity(), List.of(Integer.toString(exitCode)));
            BackendBottle.super.settle(exitCode);
        }

        @Override
        public void close() {
            if (running.remove(plan.identity()) == null) {
                return;
            }
            Set<String> held = resources.remove(plan.identity());
            if (held != null) {
                held.clear();
            }
            record(FakeEvent.Kind.CLOSED, plan.identity(), List.of());
        }

        @Override
        public String toString() {
            return "FakeBottle[" + plan.identity() + "]";
        }
    }

    /**
     * Makes a running bottle's agent ask for a route through supervise, as the real supervise daemon
     * would: the proposal goes into the bottle's queue, where the handler set on the spec or with
     * {@link RunningBottle#onApproval} receives it.
     *
     * @param identity the bottle
     * @param route the route asked for
     * @param justification the agent's reason
     * @return the proposal
     */
    public Proposal propose(String identity, EgressRoute route, String justification) {
        return propose(identity, Proposal.Kind.EGRESS_ALLOW, route, null, justification);
    }

    /**
     * Makes a running bottle's agent propose a new Dockerfile through supervise.
     *
     * @param identity the bottle
     * @param dockerfile the proposed Dockerfile
     * @param justification the agent's reason
     * @return the proposal
     */
    public Proposal proposeDockerfile(String identity, String dockerfile, String justification) {
        return propose(identity, Proposal.Kind.CAPABILITY_BLOCK, null, dockerfile, justification);
    }

    /**
     * Waits for the answer the agent would get to a proposal.
     *
     * @param proposal the proposal
     * @param timeout how long to wait
     * @return the decision, or empty when none came in time
     */
    public Optional<Decision> awaitAnswer(Proposal proposal, Duration timeout) {
        ProposalQueue q = queue(proposal.bottle());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Decision> d = q.answer(proposal.id());
            if (d.isPresent()) {
                return d;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private Proposal propose(
            String identity,
            Proposal.Kind kind,
            @org.jspecify.annotations.Nullable EgressRoute route,
            @org.jspecify.annotations.Nullable String dockerfile,
            String justification) {
        if (!running.containsKey(identity)) {
            throw new IllegalStateException("bottle " + identity + " is not running");
        }
        Proposal p = new Proposal(
                ProposalQueue.idOf(kind, route, dockerfile),
                identity,
                kind,
                route,
                dockerfile,
                justification,
                Instant.now());
        queue(identity).propose(p);
        return p;
    }

    private ProposalQueue queue(String identity) {
        Running r = running.get(identity);
        if (r == null) {
            throw new IllegalStateException("bottle " + identity + " is not running");
        }
        Path dir = new StateDir(r.plan.stateDir(), identity).home().queueDir(identity);
        SecureFiles.createPrivateDirectories(dir);
        return new ProposalQueue(dir);
    }

    /**
     * Looks up a running bottle's plan, for assertions.
     *
     * @param identity the bottle
     * @return its plan, if it is running
     */
    public Optional<FakeBottlePlan> plan(String identity) {
        return Optional.ofNullable(running.get(identity)).map(r -> r.plan);
    }
}
