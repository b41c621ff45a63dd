package dev.bottles.smolmachines;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;
import java.util.stream.Stream;

@AnalyzeClasses(packages = "dev.bottles.smolmachines", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule nullMarked = ModuleRules.everyPackageIsNullMarked();

    @ArchTest
    static final ArchRule rootPackage = ModuleRules.everythingUnder("dev.bottles.smolmachines");

    @ArchTest
    static final ArchRule dependencies = ModuleRules.dependsOnlyOn("dev.bottles.smolmachines",
            Stream.concat(Stream.of(ModuleRules.API_PACKAGES), Stream.of("dev.bottles.sidecars..", "dev.bottles.docker")).toArray(String[]::new));

    @ArchTest
    static final ArchRule noForeignInternals = ModuleRules.noForeignInternals("dev.bottles.smolmachines");

    @ArchTest
    static final ArchRule noThirdPartyTypesInPublicSignatures = ModuleRules.noThirdPartyTypesInPublicSignatures(
            "com.github.dockerjava", "com.fasterxml.jackson", "org.yaml.snakeyaml", "org.bouncycastle");

    @ArchTest
    static final ArchRule exceptions = ModuleRules.exceptionsExtendTheRoot();

    @ArchTest
    static final ArchRule bundlePrimitivesOnly = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("com.github.dockerjava..", "dev.bottles.docker.internal..")
            .because("smolmachines uses only the docker module's public bundle primitives, not docker-java itself");
}
