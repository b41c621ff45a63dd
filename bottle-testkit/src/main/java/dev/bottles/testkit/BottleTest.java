package dev.bottles.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test class (or method) whose tests get, each, a temporary bottle home, a fresh
 * {@link FakeBackend} and a {@link TestBottles} helper as parameters. After each test the home is
 * deleted, and a bottle left running fails the test (set {@link #failOnLeaks()} to false to allow
 * it).
 *
 * <pre>{@code
 * @BottleTest
 * class ReviewerTest {
 *     @Test
 *     void reviewsInABottle(TestBottles bottles, FakeBackend fake) {
 *         fake.onExec("claude").reply(0, "LGTM\n", "");
 *         try (RunningBottle b = bottles.prepare("test-agent").launch()) {
 *             assertEquals("LGTM\n", b.exec("claude", "-p", "review").stdout());
 *         }
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BottleExtension.class)
public @interface BottleTest {

    /**
     * Whether a bottle still running after the test fails it.
     *
     * @return true by default
     */
    boolean failOnLeaks() default true;
}
