package dev.bottles.examples.echo;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.bottles.arch.ModuleRules;

@AnalyzeClasses(packages = "dev.bottles.examples.echo", importOptions = ModuleRules.OnlyThisModule.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyTheApi = ModuleRules.forModule("dev.bottles.examples.echo", ModuleRules.API_PACKAGES);

    @ArchTest
    static final ArchRule belowTheFacade = ModuleRules.backendsStayBelowTheFacade();
}
