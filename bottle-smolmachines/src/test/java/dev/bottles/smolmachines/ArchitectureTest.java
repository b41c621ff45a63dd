package dev.bottles.smolmachines;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.smolmachines", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.smolmachines",
            ModuleRules.apiAnd("dev.bottles.sidecars..", "dev.bottles.dockerengine..", "com.fasterxml.jackson.."));

    @ArchTest
    static final ArchRule bundlePrimitivesOnly = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.github.dockerjava..", "dev.bottles.docker..")
            .because(
                    "smolmachines uses the engine module's bundle primitives, never docker-java or the docker backend");

    @ArchTest
    static final ArchRule belowTheFacade = ModuleRules.backendsStayBelowTheFacade();
}
