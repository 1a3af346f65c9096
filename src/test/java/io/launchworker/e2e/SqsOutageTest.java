package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SQS goes away for 20 s: the worker neither exits nor spins, says it is not ready, and resumes after. */
class SqsOutageTest {
  private final SandboxHarness harness = new SandboxHarness();
  private final LogCapture logs = new LogCapture();

  @AfterEach
  void stop() {
    harness.close();
    logs.close();
  }

  @Test
  void aTwentySecondOutageIsRiddenOutWithBackOffAndEverythingLaunchesOnceAfter() {
    RunningWorker worker = harness.startWorker();
    List<String> before = harness.sendMany(20, i -> SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(20));
    await().atMost(Duration.ofSeconds(5)).until(() -> worker.worker().readiness().notReadyBecause().isEmpty());

    harness.sandbox.stopSqs();
    await().atMost(Duration.ofSeconds(5)).until(() -> worker.worker().readiness().notReadyBecause().isPresent());
    // Not ready for the whole outage.
    await().during(Duration.ofSeconds(18)).atMost(Duration.ofSeconds(20))
        .until(() -> worker.worker().readiness().notReadyBecause().isPresent());
    long errorsDuringOutage = worker.counter(WorkerMetrics.RECEIVE_ERRORS);
    harness.sandbox.startSqsAgain();

    List<String> after = harness.sendMany(20, i -> SandboxHarness.request("t3.small"));
    harness.awaitDrained(Duration.ofSeconds(40));

    // Exponential back-off from 100 ms capped at 20 s: about 8 failed receives in 20 s, not thousands.
    assertThat(errorsDuringOutage).isBetween(3L, 15L);
    assertThat(logs.count("failed, backing off")).isEqualTo(1);
    assertThat(logs.count("works again")).isEqualTo(1);
    assertThat(worker.worker().readiness().notReadyBecause()).isEmpty();
    List<String> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(harness.instancesByToken()).containsOnlyKeys(all)
        .allSatisfy((token, instances) -> assertThat(instances).hasSize(1));
  }
}
