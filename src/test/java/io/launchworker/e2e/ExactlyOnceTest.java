package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import io.launchworker.testing.ForwardingEc2Port;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.sqs.model.Message;

/** The core promise, end to end through the SDK: every request becomes exactly one launch. */
class ExactlyOnceTest {
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void twoHundredRequestsBecomeTwoHundredTaggedInstances() {
    RunningWorker worker = harness.startWorker();
    List<String> ids = harness.sendMany(200, i -> SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(60));

    Map<String, List<EmulatedInstance>> byToken = harness.instancesByToken();
    assertThat(byToken).hasSize(200).containsOnlyKeys(ids);
    byToken.forEach((token, instances) -> {
      assertThat(instances).hasSize(1);
      assertThat(instances.get(0).tags()).containsEntry("launch-worker:message-id", token)
          .containsKey("launch-worker:request-hash");
      assertThat(instances.get(0).clientToken()).isEqualTo(token);
    });
    assertThat(worker.outcomes("launched")).isEqualTo(200);
    assertThat(harness.metadataOptions()).hasSize(200)
        .allSatisfy((id, imds) -> assertThat(imds.httpTokens()).isEqualTo(HttpTokensState.REQUIRED));
    assertThat(harness.depth(harness.sandbox.queueUrl())).isZero();
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @ParameterizedTest(name = "emulator ignores ClientToken: {0}")
  @ValueSource(booleans = {false, true})
  void crashAfterLaunchBeforeDeleteLaunchesNothingNew(boolean ignoreClientToken) {
    harness.ec2().faults().ignoreClientToken(ignoreClientToken);
    List<String> ids = harness.sendMany(5, i -> SandboxHarness.request("t3.micro"));
    for (int i = 0; i < 5; i++) {
      harness.launchThenCrash();
    }
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(5);

    RunningWorker worker = harness.startWorker();
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(5);
    assertThat(harness.instancesByToken()).containsOnlyKeys(ids).allSatisfy((t, list) -> assertThat(list).hasSize(1));
    assertThat(worker.outcomes("already_launched", "found_by_redelivery")).isEqualTo(5);
    assertThat(worker.outcomes("launched")).isZero();
  }

  @Test
  void thirtyPercentOfAnswersLostStillGiveExactlyOneInstancePerRequest() {
    harness.ec2().faults().seed(7).dropAnswerAfterLaunchRate(0.3);
    RunningWorker worker = harness.startWorker();
    List<String> ids = harness.sendMany(100, i -> SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(60));

    assertThat(harness.ec2().stats().droppedAnswers()).isGreaterThan(10);
    assertThat(harness.instancesByToken()).containsOnlyKeys(ids).allSatisfy((t, list) -> assertThat(list).hasSize(1));
    assertThat(harness.ec2().stats().tokensWithMoreThanOneReservation()).isEmpty();
    assertThat(worker.outcomes("launched") + worker.outcomes("already_launched")).isEqualTo(100);
  }

  @Test
  void throttlingBurstsEndWithEverythingLaunchedOnce() {
    harness.ec2().faults().throttle(5, 40);
    RunningWorker worker = harness.startWorker();
    List<String> ids = harness.sendMany(120, i -> SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(90));

    assertThat(harness.ec2().stats().throttledCalls()).isPositive();
    assertThat(harness.instancesByToken()).containsOnlyKeys(ids).allSatisfy((t, list) -> assertThat(list).hasSize(1));
    assertThat(worker.outcomes("launched") + worker.outcomes("already_launched")).isEqualTo(120);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void launchSlowerThanTheVisibilityTimeoutIsNotStartedByASecondWorker() {
    harness.ec2().faults().runInstancesLatency(Duration.ofSeconds(5));
    var config = harness.config(o -> {
      o.put("launcher.sqs.visibility-timeout", "2s");
      return o;
    });
    RunningWorker first = harness.startWorker(config);
    RunningWorker second = harness.startWorker(config);
    List<String> ids = harness.sendMany(4, i -> SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(40));

    Map<String, Integer> callsPerToken = harness.ec2().stats().runInstancesCallsPerToken();
    assertThat(callsPerToken).containsOnlyKeys(ids).allSatisfy((token, calls) -> assertThat(calls).isEqualTo(1));
    assertThat(first.counter("launcher.visibility.extensions") + second.counter("launcher.visibility.extensions"))
        .isPositive();
  }

  @Test
  void configChangedBetweenTwoAttemptsIsAlreadyLaunchedNotStuck() {
    String body = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"clientToken\":\"ci-job-17\"}";
    RunningWorker before = harness.startWorker(harness.config(o -> {
      o.put("launcher.defaults.instance-type", "t3.micro");
      return o;
    }));
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));
    before.close();

    // A redeploy changed the default type; the producer's retry sends the same request again. The look-up comes
    // back empty, as DescribeInstances may right after a launch (it is eventually consistent), so the
    // worker calls RunInstances with different parameters and must resolve EC2's mismatch answer.
    RunningWorker after = harness.startWorker(harness.config(o -> {
      o.put("launcher.defaults.instance-type", "t3.small");
      return o;
    }), SandboxHarness::lookupsLaggingUntilItLaunches);
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(SandboxHarness.token("ci-job-17"))).hasSize(1);
    assertThat(harness.ec2().stats().runInstancesCallsPerToken())
        .containsEntry(SandboxHarness.token("ci-job-17"), 2);
    assertThat(after.outcomes("already_launched", "parameter_drift")).isEqualTo(1);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void imdsSettingsChangedBetweenTwoAttemptsAreParameterDriftNotATokenConflict() {
    String body = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"clientToken\":\"ci-job-18\"}";
    RunningWorker before = harness.startWorker();
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));
    before.close();

    // A redeploy switched IMDSv1 back on: RunInstances' parameters differ, the request hash does not.
    RunningWorker after = harness.startWorker(harness.config(o -> {
      o.put("launcher.defaults.imds-v1", "allowed");
      o.put("launcher.defaults.imds-hop-limit", 2);
      return o;
    }), SandboxHarness::lookupsLaggingUntilItLaunches);
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(SandboxHarness.token("ci-job-18"))).hasSize(1);
    assertThat(harness.ec2().stats().runInstancesCallsPerToken())
        .containsEntry(SandboxHarness.token("ci-job-18"), 2);
    assertThat(after.outcomes("already_launched", "parameter_drift")).isEqualTo(1);
    assertThat(after.outcomes("rejected")).isZero();
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @ParameterizedTest(name = "emulator ignores ClientToken: {0}")
  @ValueSource(booleans = {false, true})
  void aProducerRetryUnderItsClientTokenIsFoundBeforeAnyLaunch(boolean ignoreClientToken) {
    harness.ec2().faults().ignoreClientToken(ignoreClientToken);
    RunningWorker worker = harness.startWorker();
    String body = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\",\"clientToken\":\"job-9\"}";
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));
    harness.send(body);
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(SandboxHarness.token("job-9"))).hasSize(1);
    assertThat(harness.ec2().stats().runInstancesCallsPerToken()).containsEntry(SandboxHarness.token("job-9"), 1);
    assertThat(worker.outcomes("already_launched", "found_by_client_token")).isEqualTo(2);
  }

  @Test
  void oneClientTokenOnTwoDifferentRequestsRejectsTheSecondAsAConflict() {
    RunningWorker worker = harness.startWorker();
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\",\"clientToken\":\"t-1\"}");
    harness.awaitDrained(Duration.ofSeconds(20));
    String second = harness.send(
        "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.large\",\"clientToken\":\"t-1\"}");
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(SandboxHarness.token("t-1"))).hasSize(1)
        .allSatisfy(i -> assertThat(i.instanceType()).isEqualTo("t3.micro"));
    List<Message> dlq = harness.drainDlq();
    assertThat(dlq).hasSize(1);
    assertThat(dlq.get(0).messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("token_conflict");
    assertThat(dlq.get(0).messageAttributes().get("launch-worker-original-message-id").stringValue())
        .isEqualTo(second);
    assertThat(worker.outcomes("rejected", "token_conflict")).isEqualTo(1);
  }

  @Test
  void lastAttemptThatLostItsAnswerIsDeadLetteredAndItsRedriveLaunchesNothingNew() {
    // Attempt 1 launches but its answer is lost (the SDK never repeats such a RunInstances): the attempt failed.
    // The last-attempt look-up does not see the instance yet (DescribeInstances is eventually consistent).
    harness.ec2().faults().dropNextAnswersAfterLaunch(1);
    java.util.concurrent.atomic.AtomicBoolean lagging = new java.util.concurrent.atomic.AtomicBoolean(true);
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.max-attempts", 1);
      return o;
    }), real -> SandboxHarness.lookupsLaggingWhile(real, lagging));
    String original = harness.send(SandboxHarness.request("t3.micro"));
    await().atMost(Duration.ofSeconds(20)).until(() -> harness.depth(harness.sandbox.dlqUrl()) == 1);
    harness.awaitDrained(Duration.ofSeconds(20));
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);

    lagging.set(false);
    Message dead = harness.drainDlq().get(0);
    assertThat(dead.messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("max_attempts_exceeded");
    assertThat(dead.messageAttributes().get("launch-worker-token").stringValue()).isEqualTo(original);
    // Redrive: the message goes back to the source queue with its attributes and a new message ID.
    String redriven = harness.send(dead.body(), dead.messageAttributes());
    assertThat(redriven).isNotEqualTo(original);
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    assertThat(worker.outcomes("already_launched", "found_by_redrive")).isEqualTo(1);
  }

  @Test
  void aLastAttemptWhoseLaunchHappenedIsFoundNotDeadLettered() {
    harness.ec2().faults().dropNextAnswersAfterLaunch(1);
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.max-attempts", 1);
      return o;
    }));
    harness.send(SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    assertThat(worker.outcomes("already_launched", "found_at_last_attempt")).isEqualTo(1);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void aMismatchWhoseInstanceIsNotVisibleYetIsRetriedNotRejected() {
    String body = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\",\"clientToken\":\"ci-9\"}";
    RunningWorker first = harness.startWorker();
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(20));
    first.close();
    java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    // The producer's retry: its look-ups see nothing for the first six calls (by tag and by client token, scoped and
    // as releases before sender scoping launched it, before the launch; by tag and by client token again after EC2's
    // mismatch answer), as right after a launch.
    RunningWorker retrying = harness.startWorker(harness.config(o -> o), real -> new ForwardingEc2Port(real) {
      @Override
      public List<FoundInstance> findByToken(String token, TokenFilter filter) {
        return lookups.incrementAndGet() <= 6 ? List.of() : real.findByToken(token, filter);
      }

      @Override
      public List<FoundInstance> findByClientTokens(List<String> tokens) {
        return lookups.incrementAndGet() <= 6 ? List.of() : real.findByClientTokens(tokens);
      }
    });
    harness.send(body);

    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(retrying.outcomes("retry", "token_unresolved")).isEqualTo(1);
    assertThat(retrying.outcomes("already_launched")).isEqualTo(1);
    assertThat(retrying.outcomes("rejected")).isZero();
    assertThat(harness.instancesByToken().get(SandboxHarness.token("ci-9"))).hasSize(1);
  }

  @Test
  void tokensWithFilterWildcardsMatchOnlyThemselves() {
    RunningWorker worker = harness.startWorker();
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\",\"clientToken\":\"job-1\"}");
    harness.awaitDrained(Duration.ofSeconds(20));
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.large\",\"clientToken\":\"job-*\"}");
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.small\",\"clientToken\":\"job-?\"}");
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("launched")).isEqualTo(3);
    assertThat(worker.outcomes("rejected")).isZero();
    assertThat(harness.instancesByToken()).containsOnlyKeys(SandboxHarness.token("job-1"),
        SandboxHarness.token("job-*"), SandboxHarness.token("job-?"));
  }
}
