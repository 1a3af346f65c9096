package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.sandbox.Sandbox;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import io.launchworker.sandbox.ec2.Ec2Stats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker processes on one queue whose visibility timeout (2 s) is shorter than each RunInstances call
 * (4 s): without the visibility keeper every message would reappear mid-launch and be taken by another
 * worker. Each worker holds at most 4 messages, so all three share the 30 requests.
 */
class ScaleOutIT {
  private static final int REQUESTS = 30;
  private static final int WORKERS = 3;
  private static final Duration VISIBILITY = Duration.ofSeconds(2);
  private static final Duration LAUNCH_LATENCY = Duration.ofSeconds(4);
  /** An outcome line, in the JSON ("outcome":"LAUNCHED") and the text (outcome=LAUNCHED) log format. */
  private static final Pattern LAUNCHED = Pattern.compile("outcome\\W{1,3}LAUNCHED\\b");

  @TempDir
  Path workDir;

  @Test
  void threeWorkersWhoseVisibilityIsShorterThanTheLaunchCallRunInstancesOncePerTokenWithNoDuplicates() throws Exception {
    try (Sandbox aws = Sandbox.start(VISIBILITY);
        SandboxWorkers workers = new SandboxWorkers(aws, workDir, config())) {
      Ec2Emulator ec2 = aws.ec2();
      ec2.faults().runInstancesLatency(LAUNCH_LATENCY);
      List<WorkerProcess> fleet = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        fleet.add(workers.start());
      }
      RequestMix.Sent sent = RequestMix.of(REQUESTS, 0, new Random(1)).send(aws.sqs().client(), aws.queueUrl());
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> aws.sqs().depth(aws.queueUrl()) == 0);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError("queue not drained" + workers.tails(40), e);
      }
      List<Integer> exits = new ArrayList<>();
      for (WorkerProcess worker : fleet) {
        exits.add(worker.terminate(30));
      }

      Ec2Stats stats = ec2.stats();
      Map<Integer, Long> tokensByCalls = stats.runInstancesCallsPerToken().values().stream()
          .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
      List<Long> launchedBy = fleet.stream().map(w -> LAUNCHED.matcher(w.output()).results().count()).toList();
      System.out.printf("%n==== scale-out: %d workers, visibility %d s, RunInstances latency %d s ====%n"
              + "%-40s %d%n%-40s %s%n%-40s %d%n%-40s %d%n%-40s %s%n%-40s %d%n====%n",
          WORKERS, VISIBILITY.toSeconds(), LAUNCH_LATENCY.toSeconds(),
          "requests sent", REQUESTS, "launched by worker 1, 2, 3", launchedBy,
          "instances", stats.instancesLaunched(), "RunInstances calls", stats.calls("RunInstances"),
          "tokens by RunInstances calls {calls=n}", tokensByCalls,
          "duplicates", stats.tokensWithMoreThanOneReservation().size());

      assertThat(exits).as("exit codes on SIGTERM").containsOnly(0);
      assertThat(stats.tokensWithMoreThanOneReservation()).as("tokens launched twice").isEmpty();
      assertThat(stats.runInstancesCallsPerToken().keySet()).containsExactlyInAnyOrderElementsOf(sent.launches());
      assertThat(stats.runInstancesCallsPerToken()).as("RunInstances calls per token")
          .allSatisfy((token, calls) -> assertThat(calls).as(token).isEqualTo(1));
      assertThat(stats.instancesLaunched()).isEqualTo(REQUESTS);
      assertThat(aws.sqs().depth(aws.dlqUrl())).as("DLQ").isZero();
      assertThat(launchedBy).as("launches per worker: all three took part").allSatisfy(n -> assertThat(n).isPositive());
    }
  }

  private static String config() {
    return """
        launcher {
          max-in-flight = 4
          sqs {
            wait-time = 1s
            visibility-timeout = %ds
            delete-flush-interval = 50ms
          }
          shutdown.grace = 10s
          policy.allowed-instance-types = ["%s"]
        }
        """.formatted(VISIBILITY.toSeconds(), RequestMix.ALLOWED_INSTANCE_TYPES);
  }
}
