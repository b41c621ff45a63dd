package dev.bottles.bundle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.bundle", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule moduleRules = ModuleRules.forModule(
            "dev.bottles.bundle",
            ModuleRules.apiAnd(
                    "dev.bottles.sidecars..",
                    "io.netty..",
                    "com.fasterxml.jackson..",
                    "org.bouncycastle..",
                    // supervise's small JSON-RPC endpoint runs on the JDK's HTTP server
                    "com.sun.net.httpserver..",
                    // git-gate: JGit's daemon and SSH transport
                    "org.eclipse.jgit.."));

    @ArchTest
    static final ArchRule insideTheBundle = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.bottles.docker..", "dev.bottles.smolmachines..", "com.github.dockerjava..")
            .because("this program runs inside the bundle container; it never drives an engine");
}
