package io.batpak.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of batpak's modules and packages, checked on the compiled classes of core, actors, streams and the
 * examples:
 * <ul>
 *   <li>core is plain Java: it never uses the actor runtime, the streams module or Pekko;</li>
 *   <li>the actor runtime never uses the streams module;</li>
 *   <li>the Pekko Persistence plugins and the projections use only the public packages of core, actors and
 *       streams;</li>
 *   <li>the examples (what the README and docs show) use only public packages, never {@code ..internal..};</li>
 *   <li>no cycle between the internal packages of a module, nor between modules;</li>
 *   <li>public packages never expose Pekko's internals and internal packages are the only ones named internal.</li>
 * </ul>
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.batpak");
    }

    @Test
    void coreNeverUsesTheActorRuntimeStreamsOrPekko() {
        noClasses().that().resideInAPackage("io.batpak.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.batpak.actors..", "io.batpak.streams..",
                        "org.apache.pekko..", "scala..")
                .check(classes);
    }

    @Test
    void theActorRuntimeNeverUsesStreams() {
        noClasses().that().resideInAPackage("io.batpak.actors..")
                .should().dependOnClassesThat().resideInAPackage("io.batpak.streams..")
                .check(classes);
    }

    @Test
    void examplesUseOnlyPublicPackages() {
        noClasses().that().resideInAPackage("io.batpak.examples..")
                .should().dependOnClassesThat().resideInAPackage("io.batpak..internal..")
                .check(classes);
    }

    @Test
    void streamsUseNoInternalsOfTheActorRuntime() {
        noClasses().that().resideInAPackage("io.batpak.streams..")
                .should().dependOnClassesThat().resideInAPackage("io.batpak.actors.internal..")
                .check(classes);
    }

    @Test
    void persistenceAndProjectionsUseOnlyPublicPackagesOfTheOtherModules() {
        noClasses().that().resideInAnyPackage("io.batpak.persistence..", "io.batpak.projections..")
                .should().dependOnClassesThat().resideInAnyPackage("io.batpak.core.internal..",
                        "io.batpak.actors.internal..", "io.batpak.streams.internal..")
                .check(classes);
    }

    @Test
    void internalPackagesHaveNoCycles() {
        slices().matching("io.batpak.core.internal.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("io.batpak.actors.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void modulesHaveNoCycles() {
        slices().matching("io.batpak.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void publicPackagesDoNotUsePekkoInternals() {
        noClasses().that().resideOutsideOfPackage("io.batpak..internal..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..internal..")
                .check(classes);
    }
}
