package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.cli.LaunchWorkerCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One small in-process run: the bench completes and reports every request launched once. No speed asserted. */
class BenchSmokeTest {
  @TempDir
  Path dir;

  @Test
  void smallRunCompletesWithEveryRequestLaunchedOnceAndReportsItAsJson() throws Exception {
    Path json = dir.resolve("bench.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "bench", "--requests", "50", "--max-in-flight", "8", "--ec2-bucket", "100/100", "--timeout", "60s",
        "--json", json.toString());

    assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();
    JsonNode report = new ObjectMapper().readTree(Files.readString(json));
    assertThat(report.get("requests").asInt()).isEqualTo(50);
    assertThat(report.get("drained").asBoolean()).isTrue();
    assertThat(report.get("duplicates").asInt()).isZero();
    assertThat(report.get("lost").asInt()).isZero();
    assertThat(report.get("runInstancesCalls").asLong()).isGreaterThanOrEqualTo(50);
    assertThat(report.get("pickupMs").get("count").asInt()).isEqualTo(50);
    assertThat(report.get("endToEndMs").get("count").asInt()).isEqualTo(50);
    assertThat(report.get("scenario").get("workerBudget").asText()).isEqualTo("100/100");
    assertThat(out.toString()).contains("duplicates", "hourly instance cap", "ceiling 100/100");
  }

  /**
   * 30 requests listing t3.large, t3.medium, t3.small; no t3.large at all and 10 t3.medium: every request is
   * refused once, 20 of them twice. Counts only, no speed.
   */
  @Test
  void capacityRunFallsBackAndReportsCallsPerLaunchTypesAndRefusals() throws Exception {
    Path json = dir.resolve("capacity.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "bench", "--requests", "30", "--max-in-flight", "8", "--timeout", "60s",
        "--capacity", "on-demand:t3.large:*=0,on-demand:t3.medium:*=10", "--json", json.toString());

    assertThat(exit).as("stdout: %s%nstderr: %s", out, err).isZero();
    JsonNode report = new ObjectMapper().readTree(Files.readString(json));
    assertThat(report.at("/scenario/instanceTypes")).extracting(JsonNode::asText)
        .containsExactly("t3.large", "t3.medium", "t3.small");
    assertThat(report.at("/scenario/capacity").asText()).isEqualTo("on-demand:t3.large:*=0,on-demand:t3.medium:*=10");
    assertThat(report.get("launchedExactlyOnce").asBoolean()).isTrue();
    assertThat(report.get("launched").asInt()).isEqualTo(30);
    assertThat(report.get("launchesByInstanceType").get("t3.medium").asLong()).isEqualTo(10);
    assertThat(report.get("launchesByInstanceType").get("t3.small").asLong()).isEqualTo(20);
    assertThat(report.get("launchesByInstanceType").has("t3.large")).isFalse();
    assertThat(report.get("refusalsByCode").get("InsufficientInstanceCapacity").asLong()).isEqualTo(30 + 20);
    assertThat(report.get("runInstancesCalls").asLong()).isEqualTo(30 + 50);
    assertThat(report.get("runInstancesCallsPerLaunch").asDouble()).isEqualTo(80 / 30.0);
    assertThat(out.toString()).contains("bench: EC2 capacity on-demand:t3.large:*=0,on-demand:t3.medium:*=10")
        .contains("t3.large,t3.medium,t3.small (the default with --capacity)")
        .containsPattern("launches by instance type\\s+t3.medium 10, t3.small 20")
        .containsPattern("shapes refused \\(capacity\\)\\s+50   \\(InsufficientInstanceCapacity 50\\)")
        .containsPattern("launched exactly once\\s+30 of 30 requests")
        .contains("every request launched exactly once");
  }

  @Test
  void malformedCapacityOrInstanceTypesAreUsageErrorsNamingTheFlag() {
    for (List<String> args : List.of(List.of("--capacity", "on-demand:t3.large=0"),
        List.of("--instance-types", "t3.large,T3 MEDIUM"))) {
      StringWriter err = new StringWriter();

      int exit = LaunchWorkerCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
          Stream.concat(Stream.of("bench"), args.stream()).toArray(String[]::new));

      assertThat(exit).as(args + ": " + err).isEqualTo(2);
      assertThat(err.toString().lines().findFirst()).as(args.toString()).hasValueSatisfying(line ->
          assertThat(line).startsWith("launch-worker bench: ").contains(args.get(0)));
    }
  }

  @Test
  void malformedBucketIsAUsageError() {
    StringWriter err = new StringWriter();

    int exit = LaunchWorkerCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        "bench", "--ec2-bucket", "fifty");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("BURST/REFILL");
  }

  @Test
  void targetsRefusesTheOptionsOfASingleRunAndABadRunCountOrScaleAsUsageErrors() {
    for (List<String> args : List.of(List.of("--targets", "--requests", "10"),
        List.of("--targets", "--capacity", "*:t3.large:*=0"), List.of("--targets", "0"),
        List.of("--targets", "1", "--scale", "0"), List.of("--scale", "0.5"))) {
      StringWriter err = new StringWriter();

      int exit = LaunchWorkerCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
          Stream.concat(Stream.of("bench"), args.stream()).toArray(String[]::new));

      assertThat(exit).as(args + ": " + err).isEqualTo(2);
    }
  }

  @Test
  void targetsOutsideThePackagedJarSaysItNeedsItAndRunsNothing() throws Exception {
    Path results = dir.resolve("results");
    StringWriter err = new StringWriter();

    int exit = LaunchWorkerCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        "bench", "--targets", "1", "--json", results.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("launch-worker bench: --targets needs the packaged jar");
    assertThat(results).doesNotExist();
  }
}
