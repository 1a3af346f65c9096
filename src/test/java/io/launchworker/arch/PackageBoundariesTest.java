package io.launchworker.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's arrows, checked: {@code cli → sandbox/bench → poll → launch → settle → ops → message, request, config}.
 * No two packages import each other, and nothing in the worker knows the sandbox exists.
 */
class PackageBoundariesTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.launchworker");

  @Test
  void noTwoPackagesDependOnEachOther() {
    slices().matching("io.launchworker.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void eachStageUsesOnlyTheStagesBelowIt() {
    Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("cli").definedBy("io.launchworker.cli..")
        .layer("bench").definedBy("io.launchworker.bench..")
        .layer("sandbox").definedBy("io.launchworker.sandbox..")
        .layer("audit").definedBy("io.launchworker.audit..")
        .layer("poll").definedBy("io.launchworker.poll..")
        .layer("launch").definedBy("io.launchworker.launch..")
        .layer("settle").definedBy("io.launchworker.settle..")
        .layer("ops").definedBy("io.launchworker.ops..")
        .layer("config").definedBy("io.launchworker.config..")
        .layer("message").definedBy("io.launchworker.message..")
        .layer("request").definedBy("io.launchworker.request..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("sandbox").mayOnlyBeAccessedByLayers("cli", "bench")
        .whereLayer("audit").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("poll").mayOnlyBeAccessedByLayers("cli", "bench", "sandbox")
        .whereLayer("launch").mayOnlyBeAccessedByLayers("cli", "bench", "sandbox", "poll")
        .whereLayer("settle").mayOnlyBeAccessedByLayers("cli", "bench", "sandbox", "poll", "launch")
        .whereLayer("ops").mayOnlyBeAccessedByLayers("cli", "bench", "sandbox", "poll", "launch", "settle")
        .whereLayer("config").mayOnlyBeAccessedByLayers("cli", "bench", "sandbox", "poll", "launch", "settle", "ops")
        .whereLayer("message").mayOnlyBeAccessedByLayers("cli", "bench", "sandbox", "poll", "launch", "settle", "ops")
        .check(MAIN);
  }

  @Test
  void theWorkerNeverKnowsTheSandboxExists() {
    noClasses().that().resideInAnyPackage("io.launchworker.poll..", "io.launchworker.launch..",
            "io.launchworker.settle..", "io.launchworker.ops..", "io.launchworker.message..",
            "io.launchworker.config..", "io.launchworker.request..")
        .should().dependOnClassesThat().resideInAnyPackage("io.launchworker.sandbox..", "org.elasticmq..",
            "org.apache.pekko..")
        .check(MAIN);
  }
}
