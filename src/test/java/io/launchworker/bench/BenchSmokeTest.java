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
    assertThat(out.toString()).contains("duplicates", "hourly instance cap", "budget 100/100");
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
    for (List<String> args : List.of(List.of("--targets", "--requests", "10"), List.of("--targets", "0"),
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
