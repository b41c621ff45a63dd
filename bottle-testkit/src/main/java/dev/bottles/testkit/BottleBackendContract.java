package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bottles.BottleLaunchException;
import dev.bottles.BottleSpec;
import dev.bottles.Bottles;
import dev.bottles.ExecOptions;
import dev.bottles.ExecResult;
import dev.bottles.ExecTimeoutException;
import dev.bottles.PreparedBottle;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.manifest.Manifest;
import dev.bottles.manifest.RouteAuth;
import dev.bottles.spi.BottleBackend;
import dev.bottles.spi.BottleSummary;
import dev.bottles.state.BottleHome;
import dev.bottles.state.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every backend owes, as a JUnit 5 test class to subclass (docker-java's
 * {@code DockerHttpClientTCK} pattern). A backend's suite is a few lines:
 *
 * <pre>{@code
 * class MyBackendContractTest extends BottleBackendContract {
 *     protected BottleBackend createBackend() { return new MyBackend(); }
 *     protected Set<String> resourcesOf(BottleBackend b, String identity) { return ((MyBackend) b).resources(identity); }
 *     protected BottleSpec.Builder breakLaunch(BottleSpec.Builder spec) { return spec.setting("MY_IMAGE", "missing:0"); }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh backend from {@link #createBackend()} and a temporary bottle home.
 * Commands run in the bottle: {@code echo}, {@code sh -c}, {@code sleep}, {@code env}; the agent
 * image of a real backend must have them (busybox does).
 */
public abstract class BottleBackendContract {
    /** The agent every test runs. */
    protected static final String AGENT = "contract-agent";
    /** The route token's variable, set in {@link #hostEnvironment()}; its value must never reach the agent. */
    protected static final String TOKEN_REF = "CONTRACT_ROUTE_TOKEN";
    /** The route token's value. */
    protected static final String TOKEN_VALUE = "contract-secret-7f3a9c2e1b";

    /** The bottle home of the current test. */
    @TempDir
    protected Path home;

    private BottleBackend backend;
    private final List<RunningBottle> opened = new ArrayList<>();

    /**
     * Creates the backend under test; called before each test.
     *
     * @return a fresh backend
     */
    protected abstract BottleBackend createBackend();

    /**
     * Answers "what of mine is still there?" for a bottle: the runtime resources the backend holds
     * for it (containers, networks, VMs), found the way its own cleanup finds them.
     *
     * @param backend the backend under test
     * @param identity the bottle
     * @return descriptions of what remains; empty when nothing does
     */
    protected abstract Set<String> resourcesOf(BottleBackend backend, String identity);

    /**
     * Changes a spec so that its launch fails after creating at least one resource (e.g. names a
     * missing agent image).
     *
     * @param spec the spec to change
     * @return the changed spec
     */
    protected abstract BottleSpec.Builder breakLaunch(BottleSpec.Builder spec);

    /**
     * Returns the definitions the tests use: bottle {@code contract} with a credential route, and
     * agent {@value #AGENT}.
     *
     * @return the manifest
     */
    protected Manifest manifest() {
        return Manifest.builder()
                .bottle(BottleDefinition.builder("contract")
                        .literal("CONTRACT_MODE", "tck")
                        .route(EgressRoute.to("api.example.com").withAuth(RouteAuth.bearer(TOKEN_REF)))
                        .build())
                .agent(AgentDefinition.builder(AGENT)
                        .bottle("contract")
                        .prompt("You are under test.")
                        .build())
                .build();
    }

    /**
     * Returns the host environment the tests use.
     *
     * @return by default just the route token
     */
    protected Map<String, String> hostEnvironment() {
        return Map.of(TOKEN_REF, TOKEN_VALUE);
    }

    /**
     * Returns settings every spec gets (images, subnets), for backends that need them.
     *
     * @return by default none
     */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Tells whether the backend claims to enforce the bottle's egress policy (its bundle runs the
     * real egress). The contract then checks that the proxy the agent is given answers, requires the
     * bottle's credential, and refuses a host the bottle does not allow, with stock {@code curl}
     * in the agent (so its image needs curl). Without the claim, that test is skipped.
     *
     * @return by default false
     */
    protected boolean enforcesEgress() {
        return false;
    }

    /**
     * Returns a timeout short enough for the timeout test and long enough for an echo.
     *
     * @return by default 3 seconds
     */
    protected Duration shortTimeout() {
        return Duration.ofSeconds(3);
    }

    /**
     * Returns a spec for {@value #AGENT} in this test's home.
     *
     * @return the spec builder
     */
    protected BottleSpec.Builder spec() {
        return configure(BottleSpec.builder(AGENT));
    }

    private BottleSpec.Builder configure(BottleSpec.Builder b) {
        b.manifest(manifest()).home(home).hostEnvironment(hostEnvironment()).userCwd(home);
        settings().forEach(b::setting);
        return b;
    }

    /**
     * Returns the backend of the current test.
     *
     * @return the backend
     */
    protected final BottleBackend backend() {
        return backend;
    }

    /**
     * Prepares a spec on the backend under test.
     *
     * @param spec the spec
     * @return the prepared bottle
     */
    protected final PreparedBottle prepare(BottleSpec.Builder spec) {
        return Bottles.using(backend).prepare(spec.build());
    }

    /**
     * Launches a prepared bottle and remembers it, so it is closed after the test whatever happens.
     *
     * @param p the prepared bottle
     * @return the running bottle
     */
    protected final RunningBottle launch(PreparedBottle p) {
        RunningBottle r = p.launch();
        opened.add(r);
        return r;
    }

    private StateDir state(String identity) {
        return new BottleHome(home).state(identity);
    }

    private boolean listed(String identity) {
        return backend.list().stream().map(BottleSummary::identity).anyMatch(identity::equals);
    }

    @BeforeEach
    final void createTheBackend() {
        backend = createBackend();
    }

    @AfterEach
    final void closeWhatTheTestOpened() {
        for (RunningBottle r : opened) {
            try {
                r.close();
            } catch (RuntimeException e) {
                // the test's own assertion says what went wrong; keep closing the rest
            }
        }
    }

    @Test
    void prepareCreatesNoRuntimeResources() {
        PreparedBottle p = prepare(spec());
        assertEquals(Set.of(), resourcesOf(backend, p.identity()), "prepare must only resolve, never create");
        assertFalse(listed(p.identity()));
        assertTrue(state(p.identity()).readMetadata().isPresent(), "prepare records metadata.json");
        p.discard();
        assertFalse(Files.exists(state(p.identity()).path()));
    }

    @Test
    void execReturnsStdoutStderrAndExitCodesFaithfully() {
        RunningBottle b = launch(prepare(spec()));
        ExecResult echo = b.exec("echo", "hello", "bottle");
        assertEquals(0, echo.exitCode());
        assertEquals("hello bottle\n", echo.stdout());
        assertEquals("", echo.stderr());
        ExecResult mixed = b.exec("sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, mixed.exitCode());
        assertEquals("out\n", mixed.stdout());
        assertEquals("err\n", mixed.stderr());
        assertFalse(mixed.duration().isNegative());
    }

    @Test
    void execTimesOutAndTheBottleStaysUsable() {
        RunningBottle b = launch(prepare(spec()));
        ExecTimeoutException e = assertThrows(
                ExecTimeoutException.class,
                () -> b.exec(List.of("sleep", "30"), ExecOptions.defaults().withTimeout(shortTimeout())));
        assertEquals(-1, e.partialResult().exitCode());
        assertEquals("still here\n", b.exec("echo", "still", "here").stdout());
    }

    @Test
    void theAgentSeesItsProxyButNeverARouteToken() {
        RunningBottle b = launch(prepare(spec()));
        String env = b.exec("env").stdout();
        assertTrue(env.contains("HTTPS_PROXY=http://"), env);
        assertTrue(env.contains("CONTRACT_MODE=tck"), env);
        assertFalse(env.contains(TOKEN_VALUE), "the route token must stay in the bundle");
    }

    @Test
    void anEnforcingBackendsProxyAnswersWantsTheCredentialAndRefusesAHostNotAllowed() {
        assumeTrue(enforcesEgress(), "the backend does not claim to enforce egress");
        RunningBottle b = launch(prepare(spec()));
        // a CONNECT through the proxy the agent is given: its status, or 000 when nothing answers
        String connect = "curl -s -o /dev/null -m 20 -w '%{http_connect}' ";
        ExecResult refused = b.exec("sh", "-c", connect + "https://not-allowed.example.test/");
        assertEquals(
                "403",
                refused.stdout().strip(),
                "the agent's HTTPS_PROXY answers and refuses a host the bottle" + " does not allow: " + refused.stdout()
                        + refused.stderr());
        ExecResult anonymous = b.exec(
                "sh", "-c", "p=${HTTPS_PROXY#*@}; " + connect + "-x \"http://$p\"" + " https://api.example.com/");
        assertEquals(
                "407",
                anonymous.stdout().strip(),
                "without the bottle's credential the proxy asks for it: " + anonymous.stdout() + anonymous.stderr());
    }

    @Test
    void closeIsIdempotentAndLeavesNothingBehind() {
        RunningBottle b = launch(prepare(spec()));
        String id = b.identity();
        assertFalse(resourcesOf(backend, id).isEmpty(), "a running bottle holds resources");
        b.close();
        b.close();
        assertEquals(Set.of(), resourcesOf(backend, id));
        assertFalse(listed(id));
        assertFalse(Files.exists(state(id).path()), "close removes the state of a bottle not marked .preserve");
    }

    @Test
    void aFailedLaunchLeavesNothingBehind() {
        PreparedBottle p = prepare(breakLaunch(spec()));
        BottleLaunchException e = assertThrows(BottleLaunchException.class, () -> launch(p));
        assertEquals(p.identity(), e.identity());
        assertFalse(e.step().isBlank());
        assertEquals(Set.of(), resourcesOf(backend, p.identity()), "launch must remove what it created");
        assertFalse(listed(p.identity()));
        assertFalse(Files.exists(state(p.identity()).path()), "a fresh bottle's state goes with its failed launch");
    }

    @Test
    void listSeesARunningBottleAndNotAClosedOne() {
        RunningBottle b = launch(prepare(spec()));
        assertTrue(listed(b.identity()));
        BottleSummary s = backend.list().stream()
                .filter(x -> x.identity().equals(b.identity()))
                .findFirst()
                .orElseThrow();
        assertEquals(backend.id(), s.backend());
        b.close();
        assertFalse(listed(b.identity()));
    }

    @Test
    void settleZeroRemovesStateAndNonZeroPreservesIt() {
        RunningBottle ok = launch(prepare(spec()));
        ok.settle(0);
        assertFalse(Files.exists(state(ok.identity()).path()));
        assertEquals(Set.of(), resourcesOf(backend, ok.identity()));

        RunningBottle failed = launch(prepare(spec()));
        failed.settle(137);
        assertTrue(state(failed.identity()).isPreserved(), "a non-zero exit keeps the state for resume");
        assertEquals(Set.of(), resourcesOf(backend, failed.identity()), "the runtime goes either way");
        state(failed.identity()).delete();
    }

    @Test
    void resumeWithARecordedIdentityReusesIt() {
        RunningBottle first = launch(prepare(spec()));
        String id = first.identity();
        first.settle(1);

        PreparedBottle again = prepare(configure(BottleSpec.resuming(new BottleHome(home), id)));
        assertEquals(id, again.identity());
        assertFalse(state(id).isPreserved(), "prepare clears the marker of the bottle it resumes");
        RunningBottle second = launch(again);
        assertEquals("resumed\n", second.exec("echo", "resumed").stdout());
        second.settle(0);
        assertFalse(Files.exists(state(id).path()));
    }
}
