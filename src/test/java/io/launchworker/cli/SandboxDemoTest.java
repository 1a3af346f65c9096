package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.sandbox.DemoMix;
import io.launchworker.sandbox.DemoReport;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
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

  @Test
  void theFirstRunPrintsTheReadmesCleanBlockAndPutsTheWorkersLogLinesInTheFileItNames() throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    int exit;
    // The console appender writes to one of them (the tests' to System.out, the jar's to System.err).
    PrintStream terminal = new PrintStream(console, true, StandardCharsets.UTF_8);
    System.setOut(terminal);
    System.setErr(terminal);
    try {
      exit = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "sandbox",
          "--exit-when-done");
      LoggerFactory.getLogger(SandboxDemoTest.class).info("after the sandbox");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }

    assertThat(exit).as("stdout: %s%\nstderr: %s", out, err).isZero();
    Matcher named = Pattern.compile("sandbox: worker log (\\S+) ").matcher(out.toString());
    assertThat(named.find()).as(out.toString()).isTrue();
    Path logFile = Path.of(named.group(1));
    assertThat(Files.readString(logFile)).contains("worker started").contains("stopped: ShutdownReport");
    Files.delete(logFile);
    // The terminal got none of the worker's lines during the run, and has the console back after it.
    assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("worker started")
        .contains("after the sandbox");
    // The README's block, line for line; "instances launched" is 5 or 6, as the README says.
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```\nsandbox: policy: ") + 4;
    List<String> block = readme.substring(start, readme.indexOf("```", start)).lines().toList();
    String printed = out.toString();
    List<String> clean = printed.substring(printed.indexOf("sandbox: policy: ")).lines().toList();
    assertThat(clean.stream().map(SandboxDemoTest::eitherCount).toList())
        .isEqualTo(block.stream().map(SandboxDemoTest::eitherCount).toList());
  }

  private static String eitherCount(String line) {
    return line.replaceFirst("^instances launched\\s+[56]$", "instances launched 5 or 6");
  }
}
