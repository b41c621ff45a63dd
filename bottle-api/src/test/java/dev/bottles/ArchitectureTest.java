package dev.bottles;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles", "org.yaml.snakeyaml..", "com.fasterxml.jackson..", "org.apache.commons.compress..");

    @ArchTest
    static final ArchRule thirdPartyOnlyInternally = noClasses()
            .that()
            .resideOutsideOfPackage("dev.bottles.internal..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.fasterxml.jackson..", "org.yaml.snakeyaml..")
            .because("SnakeYAML and Jackson are implementation details behind dev.bottles.internal");

    @ArchTest
    static final ArchRule noBackendTypes = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.bottles.sidecars..",
                    "dev.bottles.docker..",
                    "dev.bottles.smolmachines..",
                    "dev.bottles.testkit..",
                    "com.github.dockerjava..")
            .because("bottle-api is the bottom of the module graph (docs/architecture.md §2)");
}
