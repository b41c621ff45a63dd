package dev.bottles.dockerengine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.dockerengine", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.dockerengine",
            ModuleRules.apiAnd(
                    "dev.bottles.sidecars..",
                    "com.github.dockerjava..",
                    "org.apache.commons.compress..",
                    "org.apache.hc..",
                    "com.fasterxml.jackson.."));

    @ArchTest
    static final ArchRule belowBothBackends = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.docker..", "dev.bottles.smolmachines..", "dev.bottles.testkit..")
            .because("both backends build on the engine module, never the other way round");

    @ArchTest
    static final ArchRule registersNoBackend = noClasses()
            .should()
            .implement("dev.bottles.spi.BottleBackend")
            .because("the engine module is shared by backends; a user who adds it gets no backend");
}
