package dev.bottles.sidecars;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;
import java.util.stream.Stream;

@AnalyzeClasses(packages = "dev.bottles.sidecars", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule nullMarked = ModuleRules.everyPackageIsNullMarked();

    @ArchTest
    static final ArchRule rootPackage = ModuleRules.everythingUnder("dev.bottles.sidecars");

    @ArchTest
    static final ArchRule dependencies = ModuleRules.dependsOnlyOn("dev.bottles.sidecars",
            Stream.concat(Stream.of(ModuleRules.API_PACKAGES), Stream.of("org.yaml.snakeyaml..", "com.fasterxml.jackson..", "org.bouncycastle..")).toArray(String[]::new));

    @ArchTest
    static final ArchRule noForeignInternals = ModuleRules.noForeignInternals("dev.bottles.sidecars");

    @ArchTest
    static final ArchRule noThirdPartyTypesInPublicSignatures = ModuleRules.noThirdPartyTypesInPublicSignatures(
            "com.github.dockerjava", "com.fasterxml.jackson", "org.yaml.snakeyaml", "org.bouncycastle");

    @ArchTest
    static final ArchRule exceptions = ModuleRules.exceptionsExtendTheRoot();

    @ArchTest
    static final ArchRule platformNeutral = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.docker..", "dev.bottles.smolmachines..", "com.github.dockerjava..")
            .because("the preparers are platform-neutral: nothing here talks to Docker or smolvm");
}
