package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Every class of rejection lands in the DLQ with its reason, launches nothing, and the worker goes on. */
class RejectionTest {
  private static final String AMI = SandboxHarness.AMI;
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void eachRejectionClassLandsInTheDlqWithItsReasonAndLaunchesNothing() {
    harness.ec2().rejectImage("ami-0000000000000dead", "InvalidAMIID.NotFound");
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      o.put("launcher.policy.allowed-subnet-ids", List.of("subnet-0123456789abcdef0"));
      // Bodies that leave type or subnet out get these; LeastPrivilegeTest covers having neither.
      o.put("launcher.defaults.instance-type", "t3.micro");
      o.put("launcher.defaults.subnet-id", "subnet-0123456789abcdef0");
      o.put("launcher.policy.max-shapes", 4);
      return o;
    }));
    Map<String, String> bodies = new java.util.LinkedHashMap<>();
    bodies.put("malformed_json", "{\"imageId\": \"" + AMI + "\"");
    bodies.put("not_an_object", "[1, 2]");
    bodies.put("unknown_field", "{\"imageId\":\"" + AMI + "\",\"instanceTyp\":\"t3.micro\"}");
    bodies.put("wrong_type", "{\"imageId\":\"" + AMI + "\",\"maxCount\":\"2\"}");
    bodies.put("count_order", "{\"imageId\":\"" + AMI + "\",\"minCount\":3,\"maxCount\":2}");
    bodies.put("invalid_count", "{\"imageId\":\"" + AMI + "\",\"minCount\":0}");
    bodies.put("invalid_client_token", "{\"imageId\":\"" + AMI + "\",\"clientToken\":\"" + "x".repeat(65) + "\"}");
    bodies.put("user_data_too_large", "{\"imageId\":\"" + AMI + "\",\"userData\":\""
        + java.util.Base64.getEncoder().encodeToString(new byte[16_385]) + "\"}");
    bodies.put("reserved_tag_key", "{\"imageId\":\"" + AMI + "\",\"tags\":{\"aws:owner\":\"me\"}}");
    bodies.put("too_many_tags", "{\"imageId\":\"" + AMI + "\",\"tags\":{" + java.util.stream.IntStream.range(0, 51)
        .mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(",")) + "}}");
    bodies.put("instance_type_not_allowed", "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"p5.48xlarge\"}");
    bodies.put("subnet_not_allowed", "{\"imageId\":\"" + AMI + "\",\"subnetId\":\"subnet-0fedcba987654321f\"}");
    bodies.put("too_many_instances", "{\"imageId\":\"" + AMI + "\",\"maxCount\":11}");
    bodies.put("too_many_shapes", "{\"imageId\":\"" + AMI + "\",\"instanceTypes\":[\"t3.micro\",\"t3.small\","
        + "\"t3.medium\"],\"market\":\"spot-then-on-demand\"}");
    bodies.put("ec2:InvalidAMIID.NotFound", "{\"imageId\":\"ami-0000000000000dead\"}");
    bodies.forEach((reason, body) -> harness.send(body));

    harness.awaitDrained(Duration.ofSeconds(30));

    Map<String, Message> dlqByReason = harness.drainDlq().stream().collect(Collectors.toMap(
        m -> m.messageAttributes().get("launch-worker-reason").stringValue(), m -> m));
    assertThat(dlqByReason).containsOnlyKeys(bodies.keySet());
    bodies.forEach((reason, body) -> {
      Message m = dlqByReason.get(reason);
      assertThat(m.body()).as(reason).isEqualTo(body);
      assertThat(m.messageAttributes()).as(reason)
          .containsKeys("launch-worker-detail", "launch-worker-original-message-id", "launch-worker-token");
    });
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
    assertThat(worker.outcomes("rejected")).isEqualTo(bodies.size());

    String good = harness.send(SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(10));
    assertThat(harness.instancesByToken()).containsOnlyKeys(good);
  }

  /** Regression: producer attributes were copied after the worker's, so an earlier rejection's code survived. */
  @Test
  void aRedrivenMessagesStaleErrorCodeDoesNotFollowItBackIntoTheDlq() {
    harness.startWorker();
    // As it comes back from a DLQ redrive: rejected once by EC2, now rejected for its body alone.
    harness.send("{\"imageId\": \"" + AMI + "\"", Map.of(
        "launch-worker-error-code", string("InvalidAMIID.NotFound"),
        "launch-worker-reason", string("ec2:InvalidAMIID.NotFound"),
        "team", string("blue")));

    harness.awaitDrained(Duration.ofSeconds(10));

    List<Message> dead = harness.drainDlq();
    assertThat(dead).hasSize(1);
    Map<String, MessageAttributeValue> attributes = dead.get(0).messageAttributes();
    assertThat(attributes.get("launch-worker-reason").stringValue()).isEqualTo("malformed_json");
    assertThat(attributes).doesNotContainKey("launch-worker-error-code");
    assertThat(attributes.get("team").stringValue()).as("the producer's own attribute is kept").isEqualTo("blue");
  }

  /** Regression: a producer-set {@code launch-worker-*} attribute reached the DLQ copy as if the worker wrote it. */
  @Test
  void aProducerCannotForgeTheWorkersAttributesOnTheDlqCopy() {
    harness.startWorker();
    String id = harness.send("[1, 2]", Map.of(
        "launch-worker-reason", string("forged"),
        "launch-worker-detail", string("forged"),
        "launch-worker-original-message-id", string("forged"),
        "launch-worker-something-new", string("forged")));

    harness.awaitDrained(Duration.ofSeconds(10));

    List<Message> dead = harness.drainDlq();
    assertThat(dead).hasSize(1);
    Map<String, MessageAttributeValue> attributes = dead.get(0).messageAttributes();
    assertThat(attributes.get("launch-worker-reason").stringValue()).isEqualTo("not_an_object");
    assertThat(attributes.get("launch-worker-original-message-id").stringValue()).isEqualTo(id);
    assertThat(attributes.get("launch-worker-detail").stringValue()).isNotEqualTo("forged");
    assertThat(attributes).doesNotContainKey("launch-worker-something-new");
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }

  @Test
  void configuredDefaultTagsCountTowardsTheTagBudgetSoNoLaunchCarriesMoreThanEc2sFifty() {
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.defaults.tags", Map.of("owner", "ops", "k0", "from-config"));
      return o;
    }));
    // 47 own tags, k0 among them: only "owner" is added, one too many.
    String tooMany = harness.send(withTags(47));
    String fits = harness.send(withTags(46));

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.drainDlq()).singleElement().satisfies(m -> {
      assertThat(m.messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("too_many_tags");
      assertThat(m.messageAttributes().get("launch-worker-token").stringValue()).isEqualTo(tooMany);
    });
    assertThat(harness.instancesByToken()).containsOnlyKeys(fits);
    assertThat(harness.instancesByToken().get(fits)).singleElement().satisfies(i -> assertThat(i.tags())
        .hasSize(50).containsEntry("owner", "ops").containsEntry("k0", "v"));
    assertThat(worker.outcomes("rejected", "too_many_tags")).isEqualTo(1);
  }

  private static String withTags(int n) {
    return "{\"imageId\":\"" + AMI + "\",\"tags\":{" + java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(",")) + "}}";
  }

  @Test
  void permanentEc2ErrorsAreRejectedWithTheirCodeAndTransientOnesAreRetried() {
    // Account faults and not-yet-visible resources are not rejected at once: AccountFaultTest covers them.
    List<String> permanent = List.of("InvalidParameterValue", "InvalidParameterCombination", "Unsupported",
        "InvalidKeyPair.NotFound", "InvalidAMIID.Malformed");
    for (String code : permanent) {
      harness.ec2().faults().failNext("RunInstances", code, 400, 1);
    }
    // Transient ones next: they must come back and launch.
    harness.ec2().faults().failNext("RunInstances", "InsufficientInstanceCapacity", 500, 0);
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.max-in-flight", 1);
      return o;
    }));
    harness.sendMany(permanent.size(), i -> SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(30));

    List<String> codes = harness.drainDlq().stream()
        .map(m -> m.messageAttributes().get("launch-worker-error-code").stringValue()).sorted().toList();
    assertThat(codes).containsExactlyInAnyOrderElementsOf(permanent);
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
    assertThat(worker.outcomes("rejected")).isEqualTo(permanent.size());
  }

  @Test
  void capacityQuotaAndServerErrorsAreRetriedUntilTheyLaunch() {
    // EC2 answers capacity errors with HTTP 500; the SDK repeats neither them nor a RunInstances 5xx itself.
    harness.ec2().faults()
        .failNext("RunInstances", "InsufficientInstanceCapacity", 500, 1)
        .failNext("RunInstances", "VcpuLimitExceeded", 400, 1)
        .failNext("RunInstances", "InstanceLimitExceeded", 400, 1)
        .failNext("RunInstances", "Unavailable", 503, 1);
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.max-in-flight", 1);
      return o;
    }));
    String id = harness.send(SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(40));

    assertThat(harness.instancesByToken()).containsOnlyKeys(id);
    assertThat(worker.outcomes("retry", "insufficient_capacity")).isEqualTo(1);
    assertThat(worker.outcomes("retry", "quota_exceeded")).isEqualTo(2);
    assertThat(worker.outcomes("retry", "ec2_unavailable")).isEqualTo(1);
    assertThat(worker.outcomes("launched")).isEqualTo(1);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void idempotentInstanceTerminatedMeansAlreadyLaunched() {
    harness.ec2().faults().failNext("RunInstances", "IdempotentInstanceTerminated", 400, 1);
    RunningWorker worker = harness.startWorker();
    harness.send(SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(10));

    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
    assertThat(worker.outcomes("already_launched", "instance_terminated")).isEqualTo(1);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }

  @Test
  void aProducerRetryAfterTheInstanceWasTerminatedLaunchesNothing() {
    String body = "{\"imageId\":\"" + AMI + "\",\"clientToken\":\"done-before\"}";
    RunningWorker worker = harness.startWorker();
    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(10));
    String instance = harness.ec2().instances().get(0).instanceId();
    try (var ec2 = harness.ec2Client(1)) {
      ec2.terminateInstances(b -> b.instanceIds(instance));
    }

    harness.send(body);
    harness.awaitDrained(Duration.ofSeconds(10));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    assertThat(worker.outcomes("already_launched")).isEqualTo(1);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
  }
}
