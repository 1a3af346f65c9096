package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A redeploy may change the rules while a launched message waits for its delete. Whatever today's rules say, what
 * EC2 already holds for the message's token is ALREADY_LAUNCHED: one launch and a rejection on top would tell a
 * producer that resubmits on the result event to launch a second fleet.
 */
class RedeployPolicyChangeTest {
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aLaunchRedeliveredAfterARedeployTightenedTheInstanceTypesIsAlreadyLaunchedNotRejected() {
    String id = harness.send(SandboxHarness.request("m5.large"));
    harness.launchThenCrash();

    RunningWorker tightened = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      return o;
    }));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken()).containsOnlyKeys(id);
    assertThat(harness.instancesByToken().get(id)).hasSize(1);
    assertThat(tightened.outcomes("already_launched", "found_by_redelivery")).isEqualTo(1);
    assertThat(tightened.outcomes("rejected")).isZero();
    assertThat(harness.drainDlq()).isEmpty();
  }

  @Test
  void aLaunchRedeliveredAfterTheRequestCapWasLoweredIsAlreadyLaunched() {
    String id = harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"minCount\":3,\"maxCount\":3}");
    harness.launchThenCrash();

    RunningWorker tightened = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.max-instances-per-request", 2);
      return o;
    }));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(id)).hasSize(3);
    assertThat(tightened.outcomes("already_launched")).isEqualTo(1);
    assertThat(harness.drainDlq()).isEmpty();
  }

  @Test
  void aBodyTodaysValidatorRefusesIsLookedUpByItsMessageIdBeforeItIsRejected() {
    // An earlier version accepted this body and launched it under the message ID, then died before the delete.
    String body = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"fieldAnOlderVersionKnew\":true}";
    String id = harness.send(body);
    Message first = harness.sqs().receiveMessage(b -> b.queueUrl(harness.sandbox.queueUrl())
        .visibilityTimeout(1).waitTimeSeconds(5)).messages().get(0);
    assertThat(first.messageId()).isEqualTo(id);
    try (Ec2Client ec2 = harness.ec2Client(1)) {
      ec2.runInstances(b -> b.imageId(SandboxHarness.AMI).minCount(1).maxCount(1).clientToken(id)
          .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
              .tags(Tag.builder().key("launch-worker:token").value(id).build()).build()));
    }

    RunningWorker worker = harness.startWorker();
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("already_launched", "found_by_redelivery")).isEqualTo(1);
    assertThat(worker.outcomes("rejected")).isZero();
    assertThat(harness.drainDlq()).isEmpty();
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
  }

  @Test
  void aBadBodyOnItsFirstDeliveryIsRejectedWithoutALookUp() {
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceTyp\":\"t3.micro\"}");

    RunningWorker worker = harness.startWorker();
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("rejected", "unknown_field")).isEqualTo(1);
    assertThat(worker.counter("launcher.redelivery.lookups")).isZero();
    assertThat(harness.drainDlq()).hasSize(1);
  }

  @Test
  void aRedeliveredBadBodyThatNeverLaunchedIsStillRejected() {
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceTyp\":\"t3.micro\"}");
    harness.sqs().receiveMessage(b -> b.queueUrl(harness.sandbox.queueUrl()).visibilityTimeout(1)
        .waitTimeSeconds(5));

    RunningWorker worker = harness.startWorker();
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("rejected", "unknown_field")).isEqualTo(1);
    // Two look-ups a consistency window apart, both empty, before the rejection.
    assertThat(worker.scrape()).contains(
        "launcher_redelivery_lookups_total{result=\"not_found\",trigger=\"redelivery\"} 2.0",
        "launcher_consistency_holds_total{how=\"waited\",result=\"not_found\"} 1.0");
    assertThat(harness.drainDlq()).hasSize(1);
  }
}
