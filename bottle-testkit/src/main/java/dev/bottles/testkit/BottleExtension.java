package dev.bottles.testkit;

import dev.bottles.state.BottleHome;
import dev.bottles.state.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * The JUnit 5 extension behind {@link BottleTest}: gives each test its own home and fake backend,
 * then deletes the home and fails the test if it left a bottle running.
 */
public final class BottleExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BottleExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> t = p.getParameter().getType();
        return t == TestBottles.class || t == FakeBackend.class || t == BottleHome.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        TestBottles bottles = bottles(c);
        Class<?> t = p.getParameter().getType();
        if (t == FakeBackend.class) {
            return bottles.backend();
        }
        if (t == BottleHome.class) {
            return bottles.home();
        }
        return bottles;
    }

    private static TestBottles bottles(ExtensionContext c) {
        return c.getStore(NS)
                .getOrComputeIfAbsent(
                        "bottles",
                        k -> {
                            try {
                                Path dir = Files.createTempDirectory("bottle-test-");
                                return new TestBottles(new BottleHome(dir.resolve("home")), new FakeBackend());
                            } catch (IOException e) {
                                throw new ParameterResolutionException(
                                        "cannot create a temporary bottle home: " + e, e);
                            }
                        },
                        TestBottles.class);
    }

    @Override
    public void afterEach(ExtensionContext c) {
        TestBottles bottles = c.getStore(NS).remove("bottles", TestBottles.class);
        if (bottles == null) {
            return;
        }
        Set<String> leaked = bottles.backend().running();
        SecureFiles.deleteRecursively(SecureFiles.parent(bottles.home().root()));
        boolean failOnLeaks = AnnotationSupport.findAnnotation(c.getRequiredTestMethod(), BottleTest.class)
                .or(() -> AnnotationSupport.findAnnotation(c.getRequiredTestClass(), BottleTest.class))
                .map(BottleTest::failOnLeaks)
                .orElse(true);
        if (failOnLeaks && !leaked.isEmpty()) {
            throw new AssertionFailedError(
                    "the test left bottles running: " + leaked + "; close them (try-with-resources) or settle them");
        }
    }
}
