package dev.bottles.testkit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bottles.BottleLaunchException;
import dev.bottles.Bottles;
import dev.bottles.ExecResult;
import dev.bottles.PinnedBackend;
import dev.bottles.RunningBottle;
import dev.bottles.manifest.AgentDefinition;
import dev.bottles.manifest.BottleDefinition;
import dev.bottles.manifest.EgressRoute;
import dev.bottles.testkit.BottleTest;
import dev.bottles.testkit.FakeBackend;
import dev.bottles.testkit.FakeBottlePlan;
import dev.bottles.testkit.TestBottles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example in bottle-testkit/README.md, kept compiling and passing. */
@BottleTest
class ReviewServiceTest {

    /** The user's code under test: runs a reviewer agent in a bottle and returns its verdict. */
    static final class ReviewService {
        private final PinnedBackend bottles;
        private final TestBottles specs;

        ReviewService(PinnedBackend bottles, TestBottles specs) {
            this.bottles = bottles;
            this.specs = specs;
        }

        String review(String pr) {
            try (RunningBottle b =
                    bottles.prepare(specs.spec("reviewer").build()).launch()) {
                ExecResult r = b.exec("claude", "-p", "review " + pr);
                return r.exitCode() == 0
                        ? r.stdout().strip()
                        : "ERROR: " + r.stderr().strip();
            }
        }
    }

    @Test
    void returnsTheAgentsVerdict(TestBottles bottles, FakeBackend fake) {
        bottles.bottle(BottleDefinition.builder("review")
                        .route(EgressRoute.to("api.github.com"))
                        .build())
                .agent(AgentDefinition.builder("reviewer").bottle("review").build());
        fake.onExec("claude", "-p").reply(0, "LGTM\n", "");

        assertEquals("LGTM", new ReviewService(Bottles.using(fake), bottles).review("#42"));
        assertEquals(
                List.of(List.of("claude", "-p", "review #42")),
                fake.commands(fake.events().get(0).identity()));
    }

    @Test
    void theBottleMayReachGithubButNothingElse(TestBottles bottles) {
        bottles.bottle(BottleDefinition.builder("review")
                        .route(EgressRoute.to("api.github.com"))
                        .build())
                .agent(AgentDefinition.builder("reviewer").bottle("review").build());
        FakeBottlePlan plan = (FakeBottlePlan) bottles.prepare("reviewer").plan();
        assertTrue(plan.wouldAllow("https://api.github.com/repos/me/app").allowed());
        assertFalse(plan.wouldAllow("https://pastebin.com/").allowed());
    }

    @Test
    void aFailedLaunchReachesTheCaller(TestBottles bottles, FakeBackend fake) {
        bottles.agent(AgentDefinition.builder("reviewer")
                .bottle(TestBottles.DEFAULT_BOTTLE)
                .build());
        fake.failNextLaunchAt("start-agent");
        assertThrows(BottleLaunchException.class, () -> new ReviewService(Bottles.using(fake), bottles).review("#1"));
    }
}
