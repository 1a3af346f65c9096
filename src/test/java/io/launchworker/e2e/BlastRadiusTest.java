package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.ForwardingEc2Port;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** Caps and staleness: what keeps a runaway or stale producer from launching a fleet. */
class BlastRadiusTest {
  private final SandboxHarness harness = new SandboxHarness(Duration.ofSeconds(30));

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void pastTheHourlyCapMessagesAreDeferredNotRejectedAndNotLost() {
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.max-instances-per-request", 2);
      o.put("launcher.policy.max-instances-per-hour", 5);
      o.put("launcher.max-in-flight", 1);
      return o;
    }));
    harness.sendMany(4, i -> "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"minCount\":2,\"maxCount\":2}");

    // Launched messages are deleted in the next batch flush, so wait for that too.
    await().atMost(Duration.ofSeconds(20)).until(() -> worker.outcomes("deferred") == 2
        && harness.depth(harness.sandbox.queueUrl()) == 2);

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(4);
    assertThat(worker.outcomes("launched")).isEqualTo(2);
    assertThat(worker.outcomes("deferred", "hourly_cap")).isEqualTo(2);
    assertThat(worker.outcomes("rejected")).isZero();
    assertThat(worker.registry().get(WorkerMetrics.CAP_BINDING).gauge().value()).isEqualTo(1.0);
    assertThat(worker.registry().get(WorkerMetrics.INSTANCES_LAST_HOUR).gauge().value()).isEqualTo(4.0);
    // Deferred for about an hour: still on the queue, hidden, not in the DLQ.
    assertThat(harness.depth(harness.sandbox.queueUrl())).isEqualTo(2);
    assertThat(harness.visible(harness.sandbox.queueUrl())).isZero();
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void withTheHourlyCapFullTheWorkerStopsReceivingSoWaitingMessagesAreNotTouched() {
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.max-instances-per-request", 1);
      o.put("launcher.policy.max-instances-per-hour", 2);
      o.put("launcher.max-in-flight", 1);
      return o;
    }));
    harness.sendMany(5, i -> SandboxHarness.request("t3.micro"));

    await().atMost(Duration.ofSeconds(20)).until(() -> worker.outcomes("launched") == 2);
    // Full: nothing more is received, so nothing is deferred and no receive count grows.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> harness.visible(harness.sandbox.queueUrl()) == 3 && worker.outcomes("deferred") == 0);

    assertThat(worker.counter(WorkerMetrics.RECEIVED)).isEqualTo(2);
    assertThat(worker.worker().readiness().notReadyBecause()).isEmpty();
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void twoReplicasWithACapOfTenLaunchAtMostTwelveAndLeaveTheRestOnTheQueue() {
    io.launchworker.config.WorkerConfig config = harness.config(o -> {
      o.put("launcher.policy.max-instances-per-request", 1);
      o.put("launcher.policy.max-instances-per-hour", 10);
      return o;
    });
    List<RunningWorker> replicas = List.of(harness.startWorker(config), harness.startWorker(config));
    harness.sendMany(30, i -> SandboxHarness.request("t3.micro"));

    // Both see the fleet's cap full and hold nothing, so neither can launch again within the hour (or the
    // fleet has already gone past the bound, and waiting longer cannot fix that).
    await().atMost(Duration.ofSeconds(60)).until(() -> harness.ec2().stats().instancesLaunched() > 12
        || replicas.stream().allMatch(r -> r.worker().inFlight() == 0
            && r.registry().get(WorkerMetrics.INSTANCES_LAST_HOUR).gauge().value() >= 10));
    long launched = harness.ec2().stats().instancesLaunched();

    assertThat(launched).isBetween(10L, 12L);
    assertThat(replicas.stream().mapToLong(r -> r.outcomes("launched")).sum()).isEqualTo(launched);
    // The launched messages are deleted in batches; the rest stay on the queue, none dead-lettered.
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.depth(harness.sandbox.queueUrl()) == 30 - launched);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
    assertThat(replicas.stream().mapToLong(r -> r.outcomes("rejected") + r.outcomes("expired")).sum()).isZero();
  }

  @Test
  void aRestartedWorkerSeesTheHoursLaunchesAndLaunchesNothingMore() {
    io.launchworker.config.WorkerConfig config = harness.config(o -> {
      o.put("launcher.policy.max-instances-per-request", 1);
      o.put("launcher.policy.max-instances-per-hour", 3);
      return o;
    });
    RunningWorker first = harness.startWorker(config);
    harness.sendMany(3, i -> SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(20));
    first.close();

    RunningWorker restarted = harness.startWorker(config);
    harness.sendMany(3, i -> SandboxHarness.request("t3.micro"));
    await().atMost(Duration.ofSeconds(20))
        .until(() -> restarted.registry().get(WorkerMetrics.INSTANCES_LAST_HOUR).gauge().value() == 3);

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(3);
    assertThat(restarted.counter(WorkerMetrics.RECEIVED)).isZero();
    assertThat(restarted.registry().get(WorkerMetrics.CAP_BINDING).gauge().value()).isEqualTo(1.0);
    // All three still on the queue. One may be hidden for a visibility timeout: the stopped worker's cancelled long
    // poll stays open on ElasticMQ's side for the rest of its wait and can take a message sent meanwhile.
    assertThat(harness.depth(harness.sandbox.queueUrl())).isEqualTo(3);
  }

  @Test
  void aWorkerThatCannotCountTheHourlyCapFromEc2ReceivesNothingAndSaysWhyItIsNotReady() {
    RunningWorker worker = harness.startWorker(harness.config(o -> o), real -> new ForwardingEc2Port(real) {
      @Override
      public TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans,
          java.util.Optional<String> pageToken) {
        throw software.amazon.awssdk.core.exception.SdkClientException.create("DescribeInstances unreachable");
      }
    });
    harness.send(SandboxHarness.request("t3.micro"));

    await().atMost(Duration.ofSeconds(20)).until(() -> worker.counter(WorkerMetrics.CAP_COUNTS) >= 1);

    assertThat(worker.worker().readiness().notReadyBecause()).hasValueSatisfying(why -> assertThat(why)
        .contains("hourly instance cap").contains("not counted from EC2").contains("DescribeInstances unreachable"));
    assertThat(worker.counter(WorkerMetrics.RECEIVED)).isZero();
    assertThat(harness.visible(harness.sandbox.queueUrl())).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
  }

  @Test
  void aRequestOverThePerRequestCapIsRejected() {
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.max-instances-per-request", 3);
      return o;
    }));
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"maxCount\":4}");

    harness.awaitDrained(Duration.ofSeconds(10));

    assertThat(worker.outcomes("rejected", "too_many_instances")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
  }

  @Test
  void aRequestOlderThanMaxRequestAgeExpiresIntoTheDlqWithItsAge() {
    // The worker's clock runs two hours ahead: every message it receives looks two hours old.
    Clock twoHoursLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    RunningWorker worker = harness.startWorker(harness.config(o -> o), p -> p, twoHoursLater);
    harness.send(SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(10));

    assertThat(worker.outcomes("expired", "expired")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
    List<Message> dlq = harness.drainDlq();
    assertThat(dlq).hasSize(1);
    assertThat(dlq.get(0).messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("expired");
    assertThat(dlq.get(0).messageAttributes().get("launch-worker-detail").stringValue())
        .matches("request is 72\\d\\ds old, older than max-request-age 3600s; not launched");
  }

  @Test
  void anOldRedeliveryWhoseLaunchHappenedIsAlreadyLaunchedNotExpired() {
    harness.send(SandboxHarness.request("t3.micro"));
    harness.launchThenCrash();
    RunningWorker worker = harness.startWorker(harness.config(o -> o), p -> p,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));

    harness.awaitDrained(Duration.ofSeconds(10));

    assertThat(worker.outcomes("expired")).isZero();
    assertThat(worker.outcomes("already_launched", "found_by_redelivery")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
  }
}
