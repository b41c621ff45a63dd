package dev.bottles.kubernetes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.kubernetes", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.kubernetes",
            ModuleRules.apiAnd(
                    "dev.bottles.sidecars..",
                    "io.fabric8.kubernetes..",
                    "com.fasterxml.jackson..",
                    "org.apache.commons.compress.."));

    @ArchTest
    static final ArchRule noEngine = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.github.dockerjava..", "dev.bottles.docker..", "dev.bottles.dockerengine..")
            .because("a cluster has no local engine: the kubernetes backend talks to the API server only");

    @ArchTest
    static final ArchRule belowTheFacade = ModuleRules.backendsStayBelowTheFacade();

    @ArchTest
    static final ArchRule noFabric8InPublicSignatures =
            ModuleRules.noThirdPartyTypesInPublicSignatures(new String[] {"io.fabric8"});
}
