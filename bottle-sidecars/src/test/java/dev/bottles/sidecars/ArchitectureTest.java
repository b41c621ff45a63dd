package dev.bottles.sidecars;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.sidecars", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.sidecars",
            ModuleRules.apiAnd(
                    "org.yaml.snakeyaml..", "com.fasterxml.jackson..", "org.bouncycastle..", "org.jline.terminal.."));

    @ArchTest
    static final ArchRule platformNeutral = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.docker..", "dev.bottles.smolmachines..", "com.github.dockerjava..")
            .because("the preparers are platform-neutral: nothing here talks to Docker or smolvm");
}
