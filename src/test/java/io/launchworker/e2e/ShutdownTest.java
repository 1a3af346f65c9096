package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.poll.Worker;
import io.launchworker.ops.WorkerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SIGTERM mid-batch: what has started finishes, what has not goes back to the queue at once. */
class ShutdownTest {
  private final SandboxHarness harness = new SandboxHarness(Duration.ofSeconds(30));

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void stopMidBatchFinishesInFlightLaunchesAndReleasesUnstartedOnesAtOnce() {
    harness.ec2().faults().runInstancesLatency(Duration.ofSeconds(2));
    // Two launches may start; the budget then refills far too slowly for the rest, which wait unstarted.
    RunningWorker running = harness.startWorker(harness.config(o -> {
      o.put("launcher.max-in-flight", 6);
      o.put("launcher.sqs.visibility-timeout", "30s");
      o.put("launcher.ec2.run-instances-burst", 2);
      o.put("launcher.ec2.run-instances-per-second", 0.001);
      o.put("launcher.ec2.adaptive", false); // exactly 2 tokens, then none
      return o;
    }));
    harness.sendMany(6, i -> SandboxHarness.request("t3.micro"));
    await().atMost(Duration.ofSeconds(10)).until(() -> running.worker().inFlight() == 6
        && harness.ec2().stats().calls("RunInstances") == 2);

    Worker.ShutdownReport report = running.worker().shutdown();

    assertThat(report.inFlightAtStop()).isEqualTo(6);
    assertThat(report.released()).isEqualTo(4);
    assertThat(report.abandoned()).isZero();
    assertThat(report.took()).isLessThan(Duration.ofSeconds(10));
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(2);
    assertThat(running.outcomes("launched")).isEqualTo(2);
    assertThat(running.outcomes("released")).isEqualTo(4);
    // Released messages are visible now, not after the 30 s visibility timeout; the launched ones are deleted.
    assertThat(harness.visible(harness.sandbox.queueUrl())).isEqualTo(4);
    assertThat(harness.depth(harness.sandbox.queueUrl())).isEqualTo(4);
  }

  @Test
  void aLaunchStillRunningWhenTheGraceEndsIsLeftToItsVisibilityTimeoutAndNotDuplicated() {
    harness.ec2().faults().runInstancesLatency(Duration.ofSeconds(4));
    RunningWorker first = harness.startWorker(harness.config(o -> {
      // Above the harness's 1 s wait time, as start-up demands, and 2 s short of the launch.
      o.put("launcher.shutdown.grace", "2s");
      o.put("launcher.sqs.visibility-timeout", "2s");
      return o;
    }));
    String id = harness.send(SandboxHarness.request("t3.micro"));
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.ec2().stats().calls("RunInstances") == 1);

    Worker.ShutdownReport report = first.worker().shutdown();
    assertThat(report.abandoned()).isEqualTo(1);

    RunningWorker second = harness.startWorker();
    harness.awaitDrained(Duration.ofSeconds(30));
    assertThat(harness.instancesByToken()).containsOnlyKeys(id);
    assertThat(harness.instancesByToken().get(id)).hasSize(1);
    // The second worker either finds the instance or gets the first reservation back for the same token.
    assertThat(second.outcomes("already_launched") + second.outcomes("launched")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
  }

  @Test
  void anIdleWorkerStopsAtOnceInsteadOfWaitingOutItsTwentySecondLongPoll() {
    CountDownLatch polling = new CountDownLatch(1);
    ExecutionInterceptor receives = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (context.request() instanceof ReceiveMessageRequest) {
          polling.countDown();
        }
      }
    };
    RunningWorker idle = harness.startWorker(harness.config(o -> {
      o.put("launcher.sqs.wait-time", "20s");
      o.put("launcher.shutdown.grace", "25s");
      o.put("launcher.sqs.visibility-timeout", "2s");
      return o;
    }), List.of(receives));
    // The queue is empty: the first receive sent is a long poll that would last 20 s.
    await().atMost(Duration.ofSeconds(10)).until(() -> polling.getCount() == 0);

    Worker.ShutdownReport report = idle.worker().shutdown();

    // 5 s is generous for a loaded CI machine and a quarter of the long poll the stop no longer waits out.
    assertThat(report.took()).isLessThan(Duration.ofSeconds(5));
    assertThat(idle.counter(WorkerMetrics.RECEIVE_ERRORS)).isZero();
    // The queue may still hold the aborted long poll open (ElasticMQ does, until its 20 s are over) and hand it a
    // request sent now, which then returns after the receive's visibility timeout: late, never lost.
    harness.send(SandboxHarness.request("t3.micro"));
    assertThat(harness.depth(harness.sandbox.queueUrl())).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.visible(harness.sandbox.queueUrl()) == 1);
  }
}
