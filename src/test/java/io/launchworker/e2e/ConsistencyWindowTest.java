package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.ops.WorkerMetrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, cases 1 and 2, end to end: the EC2 emulator's DescribeInstances shows a launch only {@link #LAG} after
 * it, and the redelivery goes to another worker (a new process, with no memory of the first one's attempt). The
 * first worker is an old deploy with no consistency window; the second has one longer than the lag.
 */
class ConsistencyWindowTest {
  private static final Duration LAG = Duration.ofSeconds(6);
  private static final String WINDOW = "8s";
  private static final String TWO_TYPES = "{\"imageId\":\"" + SandboxHarness.AMI + "\","
      + "\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetId\":\"subnet-0aaa1111\"}";
  private static final String ONE_TYPE = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"c7i.large\"}";

  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private RunningWorker worker(String window, List<String> allowedTypes) {
    return harness.startWorker(harness.config(o -> {
      o.put("launcher.retry.consistency-window", window);
      o.put("launcher.policy.allowed-instance-types", allowedTypes);
      return o;
    }));
  }

  /** Shape 1 refused for capacity, shape 2 launches and its answer is lost; the first worker then goes away. */
  private void firstWorkerLaunchesShapeTwoAndLosesTheAnswer(String body) {
    harness.ec2().capacity().limit("*", "c7i.large", "*", 0);
    harness.ec2().faults().dropNextAnswersAfterLaunch(1).describeLag(LAG);
    RunningWorker first = worker("0s", List.of("*"));
    harness.send(body);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.outcomes("retry") == 1);
    first.close();
    // Capacity for the first shape is back; its ClientToken was never used.
    harness.ec2().capacity().clear();
  }

  @Test
  void anotherWorkerWaitsForTheLaggingReadInsteadOfLaunchingTheEarlierShape() {
    firstWorkerLaunchesShapeTwoAndLosesTheAnswer(TWO_TYPES);

    RunningWorker second = worker(WINDOW, List.of("*"));
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    assertThat(harness.ec2().instances()).singleElement()
        .satisfies(i -> assertThat(i.instanceType()).isEqualTo("m7i.large"));
    assertThat(second.outcomes("already_launched")).isEqualTo(1);
    assertThat(second.counter(WorkerMetrics.CONSISTENCY_HOLDS)).isEqualTo(1);
  }

  @Test
  void withoutAWindowTheOtherWorkerTrustsOneLookUpAndLaunchesASecondInstance() {
    firstWorkerLaunchesShapeTwoAndLosesTheAnswer(TWO_TYPES);

    RunningWorker second = worker("0s", List.of("*"));
    harness.awaitDrained(Duration.ofSeconds(30));

    // What issue 17 reproduced: the look-up saw nothing yet, shape 1 had capacity again.
    assertThat(second.outcomes("launched")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(2);
  }

  @Test
  void aRedeployThatDropsTheTypeFindsTheLaunchInsteadOfDeadLetteringIt() {
    harness.ec2().faults().dropNextAnswersAfterLaunch(1).describeLag(LAG);
    RunningWorker first = worker("0s", List.of("*"));
    harness.send(ONE_TYPE);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.outcomes("retry") == 1);
    first.close();

    RunningWorker redeployed = worker(WINDOW, List.of("t3.*"));
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(redeployed.outcomes("already_launched")).isEqualTo(1);
    assertThat(redeployed.outcomes("rejected")).isZero();
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
  }
}
