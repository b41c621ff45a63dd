package dev.bottles.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.examples", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.examples",
            ModuleRules.apiAnd(
                    "picocli..",
                    "com.fasterxml.jackson..",
                    // the demo's upstream, in its own image, serves with the JDK's HTTP server
                    "com.sun.net.httpserver..",
                    // the dashboard's full-screen terminal
                    "org.jline..",
                    // 'bottle k8s': the kubernetes admin's steps and publishing the SDK's images
                    "dev.bottles.kubernetes",
                    "dev.bottles.docker"));

    @ArchTest
    static final ArchRule backendsAtRuntimeOnly = noClasses()
            .that()
            .haveNameNotMatching(".*\\.K8sCommand(\\$.*)?")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.docker..", "dev.bottles.smolmachines..", "dev.bottles.sidecars..")
            .because("examples find backends through ServiceLoader; only 'bottle k8s', an admin tool for one"
                    + " backend, uses that backend's public API");
}
