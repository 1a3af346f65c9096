package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Only the worker writes {@code launch-worker-token}. With a key it signs what it writes; a producer who sets the
 * attribute to another request's token is refused, and never told that request's instances.
 */
class TokenAttributeSigningTest {
  private static final String KEY = "test-key-0123456789-0123456789-0123456789";
  private static final String NEXT_KEY = "next-key-0123456789-0123456789-0123456789";
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private UnaryOperator<Map<String, Object>> keys(String current, String previous) {
    return o -> {
      o.put("launcher.token-key", current);
      if (previous != null) {
        o.put("launcher.token-key-previous", previous);
      }
      return o;
    };
  }

  @Test
  void aProducerBorrowingAnotherRequestsTokenIsRefusedAndToldNothingOfItsInstances() {
    RunningWorker worker = harness.startWorker(harness.config(keys(KEY, null)));
    String victim = harness.send(SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(20));
    String victimInstance = harness.instancesByToken().get(victim).get(0).instanceId();

    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.large\"}",
        Map.of("launch-worker-token", string(victim)));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("rejected", "token_signature_invalid")).isEqualTo(1);
    assertThat(worker.counter("launcher.token.signature.invalid")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    Message dlq = harness.drainDlq().get(0);
    assertThat(dlq.messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("token_signature_invalid");
    assertThat(dlq.messageAttributes()).doesNotContainKey("launch-worker-token-signature");
    assertThat(dlq.messageAttributes().values()).noneMatch(v -> v.stringValue().contains(victimInstance));
  }

  @Test
  void theWorkersOwnDlqCopyRedrivenResumesUnderItsToken() {
    RunningWorker strict = harness.startWorker(harness.config(keys(KEY, null).andThen(o -> {
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      return o;
    })::apply));
    String original = harness.send(SandboxHarness.request("m5.large"));
    harness.awaitDrained(Duration.ofSeconds(20));
    strict.close();
    Message copy = harness.drainDlq().get(0);
    assertThat(copy.messageAttributes()).containsKey("launch-worker-token-signature");

    redrive(copy);
    RunningWorker permissive = harness.startWorker(harness.config(keys(KEY, null)));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken()).containsOnlyKeys(original);
    assertThat(permissive.outcomes("launched")).isEqualTo(1);
  }

  @Test
  void afterAKeyRotationThePreviousKeyStillResumesARedriveAndWithoutItTheRedriveIsRefused() {
    RunningWorker strict = harness.startWorker(harness.config(keys(KEY, null).andThen(o -> {
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      return o;
    })::apply));
    harness.send(SandboxHarness.request("m5.large"));
    harness.send(SandboxHarness.request("m5.xlarge"));
    harness.awaitDrained(Duration.ofSeconds(20));
    strict.close();
    List<Message> copies = harness.drainDlq();

    redrive(copies.get(0));
    RunningWorker rotatedKeepingOld = harness.startWorker(harness.config(keys(NEXT_KEY, KEY)));
    harness.awaitDrained(Duration.ofSeconds(20));
    rotatedKeepingOld.close();
    assertThat(rotatedKeepingOld.outcomes("launched")).isEqualTo(1);

    redrive(copies.get(1));
    RunningWorker rotatedDroppingOld = harness.startWorker(harness.config(keys(NEXT_KEY, null)));
    harness.awaitDrained(Duration.ofSeconds(20));
    assertThat(rotatedDroppingOld.outcomes("rejected", "token_signature_invalid")).isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
  }

  @Test
  void withoutAKeyTheAttributeIsHonouredAsBefore() {
    RunningWorker worker = harness.startWorker();
    harness.send(SandboxHarness.request("t3.micro"), Map.of("launch-worker-token", string("producer-set")));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken()).containsOnlyKeys("producer-set");
    assertThat(worker.outcomes("launched")).isEqualTo(1);
  }

  /** What an SQS redrive does: the same body and attributes, under a new message ID. */
  private void redrive(Message dlqCopy) {
    Map<String, MessageAttributeValue> attributes = new HashMap<>(dlqCopy.messageAttributes());
    harness.send(dlqCopy.body(), attributes);
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }
}
