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
            ModuleRules.apiAnd("dev.bottles.sidecars..", "dev.bottles.docker", "com.fasterxml.jackson.."));

    @ArchTest
    static final ArchRule bundlePrimitivesOnly = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.github.dockerjava..", "dev.bottles.docker.internal..")
            .because("smolmachines uses only the docker module's public bundle primitives, not docker-java itself");

    @ArchTest
    static final ArchRule belowTheFacade = ModuleRules.backendsStayBelowTheFacade();
}
