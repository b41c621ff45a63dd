package dev.bottles.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.testkit", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.testkit",
            ModuleRules.apiAnd(
                    "dev.bottles.sidecars..",
                    "org.junit..",
                    "org.opentest4j..",
                    "com.fasterxml.jackson..",
                    "com.sun.net.httpserver..",
                    "org.apache.commons.compress.."));

    @ArchTest
    static final ArchRule engineFree = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.docker..", "dev.bottles.smolmachines..", "com.github.dockerjava..")
            .because("the testkit lets users test without an engine");
}
