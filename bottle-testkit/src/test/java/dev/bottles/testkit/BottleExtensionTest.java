package dev.bottles.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.bottles.testkit.extensioncases.SampleCases;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class BottleExtensionTest {

    @Test
    void eachTestGetsItsOwnHomeAndBackendAndNothingRemains() {
        SampleCases.SEEN.clear();
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SampleCases.TwoTests.class))
                .execute()
                .testEvents();
        tests.assertStatistics(s -> s.started(2).succeeded(2).failed(0));
        assertEquals(4, SampleCases.SEEN.size());
        assertNotEquals(SampleCases.SEEN.get(0), SampleCases.SEEN.get(2), "two tests, two homes");
        assertNotSame(SampleCases.SEEN.get(1), SampleCases.SEEN.get(3), "two tests, two backends");
        assertFalse(Files.exists((Path) SampleCases.SEEN.get(2)), "no home is left after the tests");
        assertFalse(Files.exists(((Path) SampleCases.SEEN.get(0)).getParent()));
    }

    @Test
    void aBottleLeftRunningFailsTheTest() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SampleCases.Leaky.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        finishedWithFailure(message(m -> m.startsWith("the test left bottles running: [test-agent-"))));
    }
}
