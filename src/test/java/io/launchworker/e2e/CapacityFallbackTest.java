package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.launchworker.launch.Token;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestHash;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import software.amazon.awssdk.services.ec2.Ec2Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Capacity-aware launches through the real SDK, ElasticMQ and the EC2 emulator's capacity model: what launches,
 * what a producer reads about it, and exactly once when an answer is lost on a later shape.
 */
class CapacityFallbackTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String A = "subnet-0aaa1111";
  private static final String B = "subnet-0bbb2222";

  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private static String request(String members) {
    return "{\"imageId\":\"" + SandboxHarness.AMI + "\"," + members + "}";
  }

  private SandboxHarness.RunningWorker startWithResults() {
    return harness.startWorker(harness.config(o -> {
      o.put("launcher.results-queue-url", harness.sandbox.resultsUrl());
      return o;
    }));
  }

  @Test
  void theFirstShapeWithCapacityLaunchesAndTheProducerReadsWhichShapeAndWhatWasRefused() throws Exception {
    harness.ec2().subnet(A, "us-east-1a");
    harness.ec2().subnet(B, "us-east-1b");
    harness.ec2().capacity().limit("*", "c7i.large", "*", 0).limit("on-demand", "m7i.large", A, 0);
    SandboxHarness.RunningWorker worker = startWithResults();

    String id = harness.send(request("\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetIds\":[\"" + A
        + "\",\"" + B + "\"],\"tags\":{\"team\":\"ci\"}"));
    harness.awaitDrained(Duration.ofSeconds(20));

    List<EmulatedInstance> launched = harness.instancesByToken().get(id);
    assertThat(launched).singleElement().satisfies(i -> {
      assertThat(i.instanceType()).isEqualTo("m7i.large");
      assertThat(i.subnetId()).isEqualTo(B);
      assertThat(i.market()).isEqualTo("on-demand");
      assertThat(i.volumeTags()).containsEntry("launch-worker:token", id).containsEntry("team", "ci");
      assertThat(i.networkInterfaceTags()).containsEntry("launch-worker:token", id);
    });
    assertThat(harness.ec2().stats().capacityRefusals("InsufficientInstanceCapacity")).isEqualTo(3);
    JsonNode event = JSON.readTree(harness.drain(harness.sandbox.resultsUrl()).get(0).body());
    assertThat(event.get("outcome").asText()).isEqualTo("LAUNCHED");
    assertThat(event.get("placement").get("instanceType").asText()).isEqualTo("m7i.large");
    assertThat(event.get("placement").get("subnetId").asText()).isEqualTo(B);
    assertThat(event.get("placement").get("availabilityZone").asText()).isEqualTo("us-east-1b");
    assertThat(event.get("placement").get("market").asText()).isEqualTo("on-demand");
    assertThat(event.get("refusalCount").asInt()).isEqualTo(3);
    assertThat(event.get("refusals").get(2).get("subnetId").asText()).isEqualTo(A);
    assertThat(event.get("refusals").get(2).get("errorCode").asText()).isEqualTo("InsufficientInstanceCapacity");
    assertThat(worker.registry().find(WorkerMetrics.SHAPE_REFUSALS).tag("instance_type", "c7i.large").counters())
        .hasSize(2);
    assertThat(worker.registry().find(WorkerMetrics.SHAPE_LAUNCHES).tag("fallback", "true").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void spotThenOnDemandFallsBackToOnDemandWhenSpotHasNoCapacity() throws Exception {
    harness.ec2().capacity().limit("spot", "*", "*", 0);
    startWithResults();

    String spotLaunch = harness.send(request("\"instanceType\":\"t3.micro\",\"market\":\"spot-then-on-demand\","
        + "\"spotMaxPrice\":\"0.05\""));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(spotLaunch)).singleElement()
        .satisfies(i -> assertThat(i.market()).isEqualTo("on-demand"));
    JsonNode event = JSON.readTree(harness.drain(harness.sandbox.resultsUrl()).get(0).body());
    assertThat(event.get("refusals").get(0).get("market").asText()).isEqualTo("spot");
    assertThat(event.get("placement").get("market").asText()).isEqualTo("on-demand");
  }

  @Test
  void aSpotLaunchIsSentAsOneTimeSpotWithItsPriceAndLandsOnSpot() {
    harness.startWorker();

    String id = harness.send(request("\"instanceType\":\"t3.micro\",\"market\":\"spot\",\"spotMaxPrice\":\"0.05\","
        + "\"rootVolume\":{\"sizeGiB\":30}"));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(id)).singleElement().satisfies(i -> {
      assertThat(i.spot()).isTrue();
      assertThat(i.spotMaxPrice()).isEqualByComparingTo("0.05");
      assertThat(i.rootVolume().deviceName()).isEqualTo("/dev/xvda");
      assertThat(i.rootVolume().sizeGiB()).isEqualTo(30);
      assertThat(i.rootVolume().type()).isEqualTo("gp3");
      assertThat(i.rootVolume().encrypted()).isTrue();
    });
  }

  @Test
  void aLostAnswerOnTheSecondShapeThenARedeliveryLaunchesOnceOnAnEmulatorThatIgnoresClientTokens() {
    harness.ec2().faults().ignoreClientToken(true);
    harness.ec2().capacity().limit("*", "c7i.large", "*", 0);
    harness.ec2().faults().dropNextAnswersAfterLaunch(1);
    harness.startWorker(harness.config(o -> {
      o.put("launcher.retry.base-delay", "1s");
      return o;
    }));

    String id = harness.send(request("\"instanceTypes\":[\"c7i.large\",\"m7i.large\"]"));
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.ec2().stats().droppedAnswers()).isEqualTo(1);
    assertThat(harness.instancesByToken().get(id)).singleElement()
        .satisfies(i -> assertThat(i.instanceType()).isEqualTo("m7i.large"));
    assertThat(harness.drainDlq()).isEmpty();
  }

  @Test
  void aRedeliveryOfALaunchedRequestIsFoundByItsTagWhicheverShapeLaunchedAndSaysWhere() throws Exception {
    String id = harness.send(request("\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetId\":\"" + A + "\""));
    // A worker received it, launched its second shape (the first had no capacity) and died before the delete.
    Message received = harness.sqs().receiveMessage(b -> b.queueUrl(harness.sandbox.queueUrl())
        .maxNumberOfMessages(1).visibilityTimeout(1).waitTimeSeconds(5)).messages().get(0);
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive())
        .read(received.body())).request();
    RunInstancesMapper mapper = new RunInstancesMapper(LaunchDefaults.none());
    Token token = Token.resolve(Optional.empty(), Optional.empty(), Map.of(), received.messageId());
    try (Ec2Client ec2 = harness.ec2Client(1)) {
      ec2.runInstances(mapper.map(request, new RunInstancesMapper.Target(mapper.shapes(request).get(1),
          token.forShape(1), Optional.empty()), token.value(), received.messageId(), RequestHash.of(request)));
    }

    startWithResults();
    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.instancesByToken().get(id)).hasSize(1);
    JsonNode event = events().get(0);
    assertThat(event.get("outcome").asText()).isEqualTo("ALREADY_LAUNCHED");
    assertThat(event.get("placement").get("instanceType").asText()).isEqualTo("m7i.large");
    assertThat(event.get("placement").get("subnetId").asText()).isEqualTo(A);
    assertThat(harness.ec2().stats().calls("RunInstances")).isEqualTo(1);
  }

  @Test
  void aProducerWhoseClientTokenIsAnotherRequestsShapeTokenLaunchesItsOwnAndLeavesThatRequestAlone() {
    harness.ec2().capacity().limit("*", "c7i.large", "*", 0);
    harness.startWorker();
    String first = harness.send(request("\"instanceTypes\":[\"c7i.large\",\"m7i.large\"]"));
    harness.awaitDrained(Duration.ofSeconds(20));
    String secondShapeToken = new Token(first, Token.Source.MESSAGE_ID).forShape(1);

    // Scoped by its sender, the clientToken is never the ClientToken EC2 sees: it cannot meet the other request's.
    harness.send(request("\"instanceType\":\"m7i.large\",\"clientToken\":\"" + secondShapeToken + "\""));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken()).containsOnlyKeys(first, SandboxHarness.token(secondShapeToken))
        .allSatisfy((token, instances) -> assertThat(instances).hasSize(1));
    assertThat(harness.drainDlq()).isEmpty();
  }

  private List<JsonNode> events() throws Exception {
    List<JsonNode> events = new java.util.ArrayList<>();
    for (Message m : harness.drain(harness.sandbox.resultsUrl())) {
      events.add(JSON.readTree(m.body()));
    }
    return events;
  }
}
