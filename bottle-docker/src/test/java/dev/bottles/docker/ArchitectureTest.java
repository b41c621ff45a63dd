package dev.bottles.docker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;
import java.util.stream.Stream;

@AnalyzeClasses(packages = "dev.bottles.docker", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule nullMarked = ModuleRules.everyPackageIsNullMarked();

    @ArchTest
    static final ArchRule rootPackage = ModuleRules.everythingUnder("dev.bottles.docker");

    @ArchTest
    static final ArchRule dependencies = ModuleRules.dependsOnlyOn("dev.bottles.docker",
            Stream.concat(Stream.of(ModuleRules.API_PACKAGES), Stream.of("dev.bottles.sidecars..", "com.github.dockerjava..")).toArray(String[]::new));

    @ArchTest
    static final ArchRule noForeignInternals = ModuleRules.noForeignInternals("dev.bottles.docker");

    @ArchTest
    static final ArchRule noThirdPartyTypesInPublicSignatures = ModuleRules.noThirdPartyTypesInPublicSignatures(
            "com.github.dockerjava", "com.fasterxml.jackson", "org.yaml.snakeyaml", "org.bouncycastle");

    @ArchTest
    static final ArchRule exceptions = ModuleRules.exceptionsExtendTheRoot();

    @ArchTest
    static final ArchRule notAboveItself = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.smolmachines..", "dev.bottles.testkit..")
            .because("smolmachines reuses the docker bundle primitives, never the other way round");
}
