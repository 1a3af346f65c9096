package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.sandbox.DemoMix;
import io.launchworker.sandbox.DemoReport;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code sandbox} command's demo falls back once: its {@code demo-fallback} request lists a type the emulator
 * has no capacity for, then one it has; and {@code --capacity} adds limits that decide before the demo's own.
 */
class SandboxDemoTest {
  @Test
  void theDemoLaunchesTheFallbackRequestOnItsSecondTypeAndReportsOneFallback() {
    try (SandboxRun run = SandboxRun.startDemo()) {
      List<EmulatedInstance> fallback = run.instances().stream()
          .filter(i -> i.instanceType().equals(DemoMix.FALLBACK_TYPE)).toList();
      DemoReport report = DemoReport.of(run.demoSent(), run.runtime.registry(), run.sandbox.ec2(), true);

      assertThat(run.instances()).noneMatch(i -> i.instanceType().equals(DemoMix.NO_CAPACITY_TYPE));
      assertThat(fallback).as("the demo-fallback request's instance").singleElement()
          .satisfies(i -> assertThat(i.clientToken()).as("the second shape's ClientToken").startsWith("s2-"));
      assertThat(run.sandbox.ec2().stats().capacityRefusals("InsufficientInstanceCapacity")).isEqualTo(1);
      assertThat(report.fallbackLaunches()).isEqualTo(1);
      assertThat(report.shapesRefused()).isEqualTo(1);
      assertThat(report.duplicateLaunches()).isZero();
      assertThat(report.ok()).isTrue();
      assertThat(report.table()).containsPattern("launched after a fallback\\s+1\\n")
          .containsPattern("shapes refused \\(capacity\\)\\s+1\\n").containsPattern("requests sent\\s+9\\n");
    }
  }

  @Test
  void capacityGivenOnTheCommandLineDecidesBeforeTheDemosOwnLimit() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "sandbox",
        "--exit-when-done", "--capacity", "*:t3.large:*=1");

    assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();
    assertThat(out.toString())
        .contains("sandbox: EC2 capacity: *:t3.large:*=1,*:t3.large:*=0 (the first matching limit decides")
        .containsPattern("launched after a fallback\\s+0\\n")
        .containsPattern("shapes refused \\(capacity\\)\\s+0\\n")
        .contains("all requests settled");
  }

  @Test
  void aMalformedCapacitySpecIsAUsageErrorNamingTheFlagAndTheEntry() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "sandbox",
        "--exit-when-done", "--capacity", "on-demand:t3.large:*=0,spot:*=1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
        .startsWith("launch-worker sandbox: ").contains("--capacity").contains("'spot:*=1'")
        .contains("expected market:type:subnet=N"));
    assertThat(out.toString()).doesNotContain("sandbox: SQS");
  }
}
