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
  /** Keys as `openssl rand -base64 32` prints them. */
  private static final String KEY = "dGVzdC1rZXktMDEyMzQ1Njc4OS0wMTIzNDU2Nzg5LTAxMjM0NTY3ODk=";
  private static final String NEXT_KEY = "bmV4dC1rZXktMDEyMzQ1Njc4OS0wMTIzNDU2Nzg5LTAxMjM0NTY3ODk=";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
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
  void withTokenKeyNoneTheAttributeIsHonouredUnsigned() {
    RunningWorker worker = harness.startWorker(harness.config(keys("none", null)));
    harness.send(SandboxHarness.request("t3.micro"), Map.of("launch-worker-token", string("producer-set")));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken()).containsOnlyKeys("producer-set");
    assertThat(worker.outcomes("launched")).isEqualTo(1);
  }

  /**
   * Issue 19, item 2: without a key, a forged token attribute on an invalid body was looked up as a possible repeat
   * and its outcome, result event and log line named the victim's reservation, instances and placement. Unsigned
   * ("none", written out) the worker still finds the launch, so it launches nothing twice, but names none of it.
   */
  @Test
  void unsignedAForgedTokenAttributeOnAnInvalidBodyIsToldNothingOfTheVictimsInstances() throws Exception {
    RunningWorker worker = harness.startWorker(harness.config(keys("none", null).andThen(o -> {
      o.put("launcher.results-queue-url", harness.sandbox.resultsUrl());
      return o;
    })::apply));
    String victim = harness.send(SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(20));
    var victimInstance = harness.instancesByToken().get(victim).get(0);
    com.fasterxml.jackson.databind.JsonNode launched =
        JSON.readTree(harness.drain(harness.sandbox.resultsUrl()).get(0).body());
    assertThat(launched.toString()).as("the victim's own event names its instance and placement")
        .contains(victimInstance.instanceId()).contains("\"placement\"");

    harness.send("{\"imageId\": \"" + SandboxHarness.AMI + "\", \"instanceType\": ",
        Map.of("launch-worker-token", string(victim)));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("already_launched")).as("found, so not rejected into a second launch").isEqualTo(1);
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    String forged = harness.drain(harness.sandbox.resultsUrl()).get(0).body();
    assertThat(JSON.readTree(forged).path("outcome").asText()).isEqualTo("ALREADY_LAUNCHED");
    assertThat(forged).doesNotContain(victimInstance.instanceId())
        .doesNotContain(launched.path("reservationId").asText()).doesNotContain("\"placement\"");
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
