package dev.bottles.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.bottles.BottleException;
import dev.bottles.archfixtures.Violations;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared rules catch what they are meant to catch. */
class ModuleRulesTest {
    private final JavaClasses fixtures = new ClassFileImporter()
            .importClasses(Violations.LeakyApi.class, Violations.InternalsUser.class, Violations.RogueException.class);

    @Test
    void thirdPartyTypesInPublicSignaturesAreCaughtIncludingTypeArguments() {
        EvaluationResult r = ModuleRules.noThirdPartyTypesInPublicSignatures("com.fasterxml.jackson")
                .evaluate(fixtures);
        List<String> details = r.getFailureReport().getDetails();
        assertEquals(1, details.size(), details.toString());
        assertTrue(details.get(0).contains("LeakyApi exposes com.fasterxml.jackson.databind.JsonNode"), details.get(0));
    }

    @Test
    void packagesWithoutNullMarkedAreCaught() throws ClassNotFoundException {
        EvaluationResult r = ModuleRules.everyPackageIsNullMarked().evaluate(fixtures);
        assertTrue(r.hasViolation());
        assertTrue(r.getFailureReport().getDetails().get(0).contains("dev.bottles.archfixtures has no package-info"));
        assertFalse(ModuleRules.everyPackageIsNullMarked()
                .evaluate(new ClassFileImporter()
                        .importClasses(BottleException.class, Class.forName("dev.bottles.package-info")))
                .hasViolation());
    }

    @Test
    void foreignInternalsAreCaughtButOwnInternalsAreNot() {
        assertTrue(ModuleRules.noForeignInternals("dev.bottles.archfixtures")
                .evaluate(fixtures)
                .hasViolation());
        assertFalse(
                ModuleRules.noForeignInternals("dev.bottles").evaluate(fixtures).hasViolation());
    }

    @Test
    void exceptionsOutsideTheRootAreCaught() {
        EvaluationResult r = ModuleRules.exceptionsExtendTheRoot().evaluate(fixtures);
        assertTrue(r.hasViolation());
        assertTrue(r.getFailureReport().getDetails().get(0).contains("RogueException"));
    }

    @Test
    void undeclaredDependenciesAreCaught() {
        assertTrue(ModuleRules.dependsOnlyOn("dev.bottles.archfixtures")
                .evaluate(fixtures)
                .hasViolation());
        assertFalse(ModuleRules.dependsOnlyOn("dev.bottles.archfixtures", "dev.bottles..", "com.fasterxml.jackson..")
                .evaluate(fixtures)
                .hasViolation());
    }
}
