package dev.bottles.docker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.docker", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.docker",
            ModuleRules.apiAnd(
                    "dev.bottles.sidecars..",
                    "dev.bottles.dockerengine..",
                    "com.github.dockerjava..",
                    "org.apache.commons.compress..",
                    "com.fasterxml.jackson..",
                    "org.jline.."));

    @ArchTest
    static final ArchRule notAboveItself = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.smolmachines..", "dev.bottles.testkit..")
            .because("the backends are siblings on the engine module; neither uses the other");

    @ArchTest
    static final ArchRule belowTheFacade = ModuleRules.backendsStayBelowTheFacade();
}
