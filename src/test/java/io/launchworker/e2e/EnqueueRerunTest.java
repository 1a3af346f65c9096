package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.cli.LaunchWorkerCommand;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer runs {@code enqueue --client-token-from requestId} on the same file twice (a retried CI job, a
 * re-run script): a real worker over ElasticMQ and the EC2 emulator launches each request once, however the
 * two runs and the worker interleave.
 */
class EnqueueRerunTest {
  private static final int REQUESTS = 12;
  private static final Map<String, String> AWS_PROPERTIES = Map.of(
      "aws.accessKeyId", EmbeddedSqs.CREDENTIALS.accessKeyId(),
      "aws.secretAccessKey", EmbeddedSqs.CREDENTIALS.secretAccessKey());
  private static final Map<String, String> savedProperties = new LinkedHashMap<>();

  @TempDir
  Path dir;

  private final SandboxHarness harness = new SandboxHarness();

  @BeforeAll
  static void credentialsFromSystemProperties() {
    AWS_PROPERTIES.forEach((k, v) -> {
      savedProperties.put(k, System.getProperty(k));
      System.setProperty(k, v);
    });
  }

  @AfterAll
  static void restoreProperties() {
    savedProperties.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private Path jobsFile() throws IOException {
    // Two instances for every third job: the count is part of what must not be doubled.
    return Files.writeString(dir.resolve("jobs.jsonl"), IntStream.rangeClosed(1, REQUESTS)
        .mapToObj(i -> "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"requestId\":\"nightly-" + i + "\""
            + (i % 3 == 0 ? ",\"minCount\":2,\"maxCount\":2" : "") + ",\"tags\":{\"job\":\"" + i + "\"}}")
        .collect(Collectors.joining("\n")) + "\n");
  }

  private static final int INSTANCES = REQUESTS + REQUESTS / 3;

  /** Runs enqueue and returns the client tokens it printed. */
  private List<String> enqueue(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "enqueue",
        "--file", file.toString(), "--client-token-from", "requestId",
        "--queue-url", harness.sandbox.queueUrl(), "--endpoint-url", harness.sandbox.sqs().endpoint().toString(),
        "--region", EmbeddedSqs.REGION.id());
    assertThat(code).as(err.toString()).isZero();
    return out.toString().lines().map(l -> l.split("\t")[2]).collect(Collectors.toList());
  }

  private Set<String> instanceIds() {
    return harness.ec2().instances().stream().map(EmulatedInstance::instanceId).collect(Collectors.toSet());
  }

  @Test
  void theSecondRunAfterTheFirstWasLaunchedLaunchesNothingNew() throws IOException {
    Path file = jobsFile();
    SandboxHarness.RunningWorker worker = harness.startWorker();

    List<String> firstTokens = enqueue(file);
    harness.awaitDrained(Duration.ofSeconds(30));
    Set<String> afterFirst = instanceIds();
    List<String> secondTokens = enqueue(file);
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(secondTokens).isEqualTo(firstTokens).doesNotHaveDuplicates().hasSize(REQUESTS);
    assertThat(afterFirst).hasSize(INSTANCES);
    assertThat(instanceIds()).isEqualTo(afterFirst);
    assertThat(harness.instancesByToken().keySet())
        .containsExactlyInAnyOrderElementsOf(firstTokens.stream().map(SandboxHarness::token).toList());
    assertThat(worker.outcomes("launched")).isEqualTo(REQUESTS);
    assertThat(worker.outcomes("already_launched")).isEqualTo(REQUESTS);
  }

  @Test
  void twoRunsQueuedBeforeAnyWorkerStartsLaunchEachRequestOnce() throws IOException {
    Path file = jobsFile();
    List<String> tokens = enqueue(file);
    enqueue(file);
    assertThat(harness.depth(harness.sandbox.queueUrl())).isEqualTo(2L * REQUESTS);

    harness.startWorker();
    harness.awaitDrained(Duration.ofSeconds(30));

    Map<String, List<EmulatedInstance>> byToken = harness.instancesByToken();
    // Launched under each clientToken scoped by the one sender (ElasticMQ's SenderId) both runs came from.
    assertThat(byToken.keySet()).containsExactlyInAnyOrderElementsOf(tokens.stream().map(SandboxHarness::token)
        .toList());
    assertThat(harness.ec2().instances()).hasSize(INSTANCES);
  }
}
