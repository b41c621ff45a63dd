package dev.bottles.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaPackage;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;

/**
 * The ArchUnit rules every module's {@code ArchitectureTest} applies ({@code docs/architecture.md} §2 and §8).
 * Shipped in bottle-api's test-jar.
 */
public final class ModuleRules {
    /** The exported packages of bottle-api, the only ones other modules may use. */
    public static final String[] API_PACKAGES = {
        "dev.bottles", "dev.bottles.spi..", "dev.bottles.manifest..", "dev.bottles.state..", "dev.bottles.claude.."
    };
    /** Libraries whose types must never appear in a public signature. */
    public static final String[] THIRD_PARTY = {
        "com.github.dockerjava", "com.fasterxml.jackson", "org.yaml.snakeyaml", "org.bouncycastle"
    };
    /** The JDK (java, javax, JFR), JSpecify and nothing else: every module may use these. */
    public static final String[] PLATFORM = {"java..", "javax..", "jdk.jfr..", "org.jspecify.annotations.."};

    private ModuleRules() {}

    /** Imports only the classes of the module under test: its own {@code target/classes}. */
    public static final class OnlyThisModule implements ImportOption {
        private final String root =
                Path.of(System.getProperty("user.dir"), "target", "classes").toAbsolutePath() + "/";

        @Override
        public boolean includes(Location location) {
            String path = location.asURI().getPath();
            return "file".equals(location.asURI().getScheme()) && path != null && path.startsWith(root);
        }
    }

    /**
     * Returns every rule a module keeps: {@code @NullMarked} packages, one root package, only the
     * allowed dependencies, no other module's internals, no third-party type in a public signature,
     * and one exception root.
     *
     * @param root the module's root package, e.g. {@code dev.bottles.docker}
     * @param allowed packages it may depend on beyond the platform and its own
     * @return the combined rule
     */
    public static ArchRule forModule(String root, String... allowed) {
        return CompositeArchRule.of(everyPackageIsNullMarked())
                .and(everythingUnder(root))
                .and(dependsOnlyOn(root, allowed))
                .and(noForeignInternals(root))
                .and(noThirdPartyTypesInPublicSignatures(THIRD_PARTY))
                .and(exceptionsExtendTheRoot());
    }

    /**
     * Returns {@link #API_PACKAGES} followed by more packages.
     *
     * @param more further packages
     * @return the combined list
     */
    public static String[] apiAnd(String... more) {
        return Stream.concat(Stream.of(API_PACKAGES), Stream.of(more)).toArray(String[]::new);
    }

    /**
     * Every package has a {@code package-info.java} annotated {@code @NullMarked}.
     *
     * @return the rule
     */
    public static ArchRule everyPackageIsNullMarked() {
        return classes()
                .should(new ArchCondition<JavaClass>("reside in a package whose package-info is @NullMarked") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        JavaPackage p = c.getPackage();
                        boolean marked = p.tryGetPackageInfo()
                                .map(i -> i.isAnnotatedWith(NullMarked.class))
                                .orElse(false);
                        if (!marked) {
                            events.add(SimpleConditionEvent.violated(
                                    c,
                                    "package " + p.getName() + " has no package-info.java with @NullMarked (needed by "
                                            + c.getName() + ")"));
                        }
                    }
                })
                .because("null-safety is the default everywhere (docs/architecture.md §8 rule 5)");
    }

    /**
     * Every class lives under the module's root package.
     *
     * @param root e.g. {@code dev.bottles.docker}
     * @return the rule
     */
    public static ArchRule everythingUnder(String root) {
        return classes()
                .should()
                .resideInAPackage(root + "..")
                .because("one root package per module; no package is split across jars");
    }

    /**
     * The module depends only on the platform, its own packages and the listed ones.
     *
     * @param root the module's root package
     * @param allowed further allowed packages (ArchUnit package identifiers)
     * @return the rule
     */
    public static ArchRule dependsOnlyOn(String root, String... allowed) {
        List<String> all = new ArrayList<>(List.of(PLATFORM));
        all.add(root + "..");
        all.addAll(List.of(allowed));
        return classes()
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(all.toArray(String[]::new))
                .because("docs/architecture.md §2 fixes what each module may depend on");
    }

    /**
     * No class uses another module's {@code .internal} packages.
     *
     * @param root the module's root package
     * @return the rule
     */
    public static ArchRule noForeignInternals(String root) {
        return noClasses()
                .should()
                .dependOnClassesThat(new DescribedPredicate<JavaClass>("are another module's internals") {
                    @Override
                    public boolean test(JavaClass c) {
                        String p = c.getPackageName();
                        return p.startsWith("dev.bottles.")
                                && (p.contains(".internal.") || p.endsWith(".internal"))
                                && !p.startsWith(root + ".internal");
                    }
                })
                .because("non-API code lives under <root>.internal and is not used across modules");
    }

    /**
     * No public signature outside {@code .internal} mentions a type from the banned packages.
     *
     * @param banned package prefixes, e.g. {@code com.fasterxml.jackson}
     * @return the rule
     */
    public static ArchRule noThirdPartyTypesInPublicSignatures(String... banned) {
        return classes()
                .that()
                .arePublic()
                .and()
                .resideOutsideOfPackage("..internal..")
                .should(new ArchCondition<JavaClass>("expose no type from " + String.join(", ", banned)) {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        List<JavaType> exposed = new ArrayList<>();
                        c.getRawSuperclass().ifPresent(exposed::add);
                        exposed.addAll(c.getInterfaces());
                        for (JavaCodeUnit u : c.getCodeUnits()) {
                            if (visible(u.getModifiers())) {
                                exposed.add(u.getReturnType());
                                exposed.addAll(u.getParameterTypes());
                                exposed.addAll(u.getThrowsClause().getTypes());
                            }
                        }
                        for (JavaField f : c.getFields()) {
                            if (visible(f.getModifiers())) {
                                exposed.add(f.getType());
                            }
                        }
                        exposed.stream()
                                .flatMap(t -> t.getAllInvolvedRawTypes().stream())
                                .filter(t -> Stream.of(banned)
                                        .anyMatch(b -> t.getName().startsWith(b + ".")))
                                .distinct()
                                .forEach(t -> events.add(SimpleConditionEvent.violated(
                                        c, c.getName() + " exposes " + t.getName() + " in a public signature")));
                    }
                })
                .allowEmptyShould(true)
                .because("users must not depend on our third-party libraries (docs/architecture.md §8 rule 4)");
    }

    /**
     * A backend's classes hand out the SPI's {@code BackendBottle} and never touch the user's
     * {@code RunningBottle}, which only the facade makes ({@code docs/backends.md} rule 21).
     *
     * @return the rule
     */
    public static ArchRule backendsStayBelowTheFacade() {
        return noClasses()
                .that()
                .implement("dev.bottles.spi.BottleBackend")
                .or()
                .implement("dev.bottles.spi.BackendBottle")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.bottles.RunningBottle")
                .because("the user's bottle wraps the backend's; a backend never makes or holds one");
    }

    /**
     * Every exception class extends the SDK's one root, {@code BottleException}.
     *
     * @return the rule
     */
    public static ArchRule exceptionsExtendTheRoot() {
        return classes()
                .that()
                .areAssignableTo(Throwable.class)
                .should()
                .beAssignableTo("dev.bottles.BottleException")
                .allowEmptyShould(true)
                .because("one unchecked exception root (docs/architecture.md §8 rule 3)");
    }

    private static boolean visible(Set<JavaModifier> m) {
        return m.contains(JavaModifier.PUBLIC) || m.contains(JavaModifier.PROTECTED);
    }
}
