package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.ops.WorkerMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Issue 17, cases 3 to 5, end to end on the EC2 emulator's IAM denials and DryRun answers: an account fault on a
 * look-up pauses without using attempts; a pause receives nothing, so SQS's own redrive moves nothing; one request's
 * {@code UnauthorizedOperation} is rejected for itself while a known launch is still allowed.
 */
class AccountFaultEndToEndTest {
  private static final String T3 = SandboxHarness.request("t3.micro");
  private static final String P5 = SandboxHarness.request("p5.48xlarge");

  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private RunningWorker worker(UnaryOperator<Map<String, Object>> more) {
    return harness.startWorker(harness.config(o -> {
      o.put("launcher.max-attempts", 3);
      o.put("launcher.retry.base-delay", "1s");
      o.put("launcher.retry.account-fault-delay", "1s");
      return more.apply(o);
    }));
  }

  /** A launch EC2 allowed, so the worker knows one to ask about with DryRun. */
  private RunningWorker workerThatLaunchedOnce(UnaryOperator<Map<String, Object>> more) {
    RunningWorker worker = worker(more);
    harness.send(T3);
    harness.awaitDrained(Duration.ofSeconds(20));
    return worker;
  }

  @Test
  void describeDeniedForTheAccountPausesAndDeadLettersNothing() {
    RunningWorker worker = workerThatLaunchedOnce(o -> o);
    harness.ec2().faults().denyAll("DescribeInstances", "UnauthorizedOperation");
    harness.sendMany(5, i -> SandboxHarness.request("t3.micro").replace("{", "{\"clientToken\":\"job-" + i + "\","));

    await().atMost(Duration.ofSeconds(20)).until(() -> worker.worker().readiness().notReadyBecause()
        .filter(r -> r.contains("UnauthorizedOperation")).isPresent());
    long describeCalls = harness.ec2().stats().calls("DescribeInstances");
    // Probes (Describe calls) go on; the messages stay on the queue.
    await().atMost(Duration.ofSeconds(20)).until(() -> harness.ec2().stats().calls("DescribeInstances")
        >= describeCalls + 3);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
    assertThat(worker.outcomes("rejected")).isZero();

    harness.ec2().faults().allowAll();
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(6);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
    assertThat(worker.outcomes("retry", "lookup_failed")).isZero();
  }

  @Test
  void aPauseReceivesNothingSoTheQueuesOwnRedriveMovesNothing() {
    String dlqArn = harness.sqs().getQueueAttributes(b -> b.queueUrl(harness.sandbox.dlqUrl())
        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
    String queue = harness.sandbox.sqs().createQueue("redriven-requests", Map.of(
        QueueAttributeName.VISIBILITY_TIMEOUT, "5",
        QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"5\"}"));
    RunningWorker worker = worker(o -> {
      o.put("launcher.queue-url", queue);
      return o;
    });
    harness.sqs().sendMessage(b -> b.queueUrl(queue).messageBody(T3));
    await().atMost(Duration.ofSeconds(20)).until(() -> worker.outcomes("launched") == 1);
    harness.ec2().faults().denyAll("RunInstances", "UnauthorizedOperation");
    for (int i = 0; i < 3; i++) {
      harness.sqs().sendMessage(b -> b.queueUrl(queue).messageBody(T3));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> worker.scrape().contains("launcher_account_paused 1.0"));
    // Six probes, a second apart or more: before, each was a receive, and the fifth moved a message to the DLQ.
    await().atMost(Duration.ofSeconds(60)).until(() -> harness.ec2().stats().dryRunCalls() >= 6);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).as("moved by SQS's redrive").isZero();

    harness.ec2().faults().allowAll();
    await().atMost(Duration.ofSeconds(30)).until(() -> worker.outcomes("launched") == 4);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(4);
  }

  @Test
  void unauthorizedForOneInstanceTypeRejectsThatRequestAtOnceAndPausesNobody() {
    RunningWorker worker = workerThatLaunchedOnce(o -> o);
    harness.ec2().faults().denyRunInstances("p5.*", null);

    long start = System.nanoTime();
    harness.send(P5);
    await().atMost(Duration.ofSeconds(20)).until(() -> worker.outcomes("rejected") == 1);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    harness.send(T3);
    harness.awaitDrained(Duration.ofSeconds(20));

    System.out.printf("issue 17 case 5: a request-specific denial rejected in %d ms, nobody paused%n",
        took.toMillis());
    assertThat(worker.outcomes("rejected", "ec2:UnauthorizedOperation")).isEqualTo(1);
    assertThat(worker.counter(WorkerMetrics.ACCOUNT_FAULTS)).isZero();
    assertThat(worker.outcomes("launched")).isEqualTo(2);
    assertThat(harness.ec2().stats().dryRunCalls("DryRunOperation")).isEqualTo(1);
  }

  @Test
  void aFreshReplicaHoldingOnlyTheDeniedRequestJudgesByTheHourlyCountsNewestLaunch() {
    workerThatLaunchedOnce(o -> o).close();
    harness.ec2().faults().denyRunInstances("p5.*", null);
    harness.send(P5);

    RunningWorker fresh = worker(o -> o);
    await().atMost(Duration.ofSeconds(20)).until(() -> fresh.outcomes("rejected") == 1);

    assertThat(fresh.outcomes("rejected", "ec2:UnauthorizedOperation")).isEqualTo(1);
    assertThat(fresh.counter(WorkerMetrics.ACCOUNT_FAULTS)).isZero();
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
  }
}
