package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.launch.Ec2Port;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.launchworker.launch.LaunchHandler;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import io.launchworker.testing.ForwardingEc2Port;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What producers rely on: result events, FIFO queues and launch templates. */
class ProducerFeaturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema EVENT_SCHEMA = loadEventSchema();

  private static Schema loadEventSchema() {
    try (var in = ProducerFeaturesTest.class.getResourceAsStream("/result-event.schema.json")) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void everyRequestYieldsOneResultEventPerTokenWithItsInstances() throws Exception {
    harness.ec2().faults().seed(11).dropAnswerAfterLaunchRate(0.3);
    harness.startWorker(harness.config(o -> {
      o.put("launcher.results-queue-url", harness.sandbox.resultsUrl());
      return o;
    }));
    List<String> ids = harness.sendMany(40, i -> SandboxHarness.request("t3.micro"));
    String rejected = harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"colour\":\"red\"}");

    harness.awaitDrained(Duration.ofSeconds(40));

    Map<String, List<JsonNode>> eventsByToken = new HashMap<>();
    for (Message m : harness.drain(harness.sandbox.resultsUrl())) {
      JsonNode e = JSON.readTree(m.body());
      assertThat(EVENT_SCHEMA.validate(e)).as(m.body()).isEmpty();
      eventsByToken.computeIfAbsent(e.get("token").asText(), t -> new ArrayList<>()).add(e);
    }
    Set<String> expected = new TreeSet<>(ids);
    expected.add(rejected);
    assertThat(eventsByToken.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    Map<String, List<EmulatedInstance>> instances = harness.instancesByToken();
    for (String id : ids) {
      List<String> launched = instances.get(id).stream().map(EmulatedInstance::instanceId).sorted().toList();
      assertThat(eventsByToken.get(id)).allSatisfy(e -> {
        assertThat(e.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(e.get("outcome").asText()).isIn("LAUNCHED", "ALREADY_LAUNCHED");
        assertThat(e.get("messageId").asText()).isEqualTo(id);
        List<String> reported = new ArrayList<>();
        e.get("instances").forEach(i -> reported.add(i.get("instanceId").asText()));
        Collections.sort(reported);
        assertThat(reported).isEqualTo(launched);
        assertThat(e.get("reservationId").asText()).startsWith("r-");
      });
    }
    JsonNode rejection = eventsByToken.get(rejected).get(0);
    assertThat(rejection.get("outcome").asText()).isEqualTo("REJECTED");
    assertThat(rejection.get("reason").asText()).isEqualTo("unknown_field");
    assertThat(rejection.get("detail").asText()).contains("colour");
    assertThat(rejection.get("instances")).isEmpty();
  }

  @Test
  void theEventSchemaRefusesALaunchWithoutItsReservation() throws Exception {
    JsonNode broken = JSON.readTree("{\"schemaVersion\":1,\"outcome\":\"LAUNCHED\",\"reason\":\"ok\","
        + "\"token\":\"t\",\"messageId\":\"m\",\"instances\":[],\"receiveCount\":1,"
        + "\"sentAt\":\"2026-11-29T10:00:00Z\",\"receivedAt\":\"2026-11-29T10:00:00Z\","
        + "\"decidedAt\":\"2026-11-29T10:00:01Z\"}");

    assertThat(EVENT_SCHEMA.validate(broken)).isNotEmpty();
  }

  @Test
  void aRetryingFifoMessageHoldsItsGroupBackWhileOtherGroupsGoOn() {
    String queue = fifoQueue("orders.fifo");
    String dlq = fifoQueue("orders-dlq.fifo");
    List<String> launchOrder = Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> throttles = new ConcurrentHashMap<>();
    harness.startWorker(harness.config(o -> {
      o.put("launcher.queue-url", queue);
      o.put("launcher.dlq-url", dlq);
      return o;
    }), real -> new ForwardingEc2Port(real) {
      @Override
      public Reservation runInstances(RunInstancesRequest request) {
        String name = request.tagSpecifications().get(0).tags().stream()
            .filter(t -> t.key().equals("step")).findFirst().orElseThrow().value();
        // Throttled at its first call and at each repeat of the handler: the message goes back for a retry.
        if (name.equals("a1") && throttles.merge(name, 1, Integer::sum) <= LaunchHandler.THROTTLED_REPEATS + 1) {
          throw (Ec2Exception) Ec2Exception.builder().statusCode(503).awsErrorDetails(AwsErrorDetails.builder()
              .errorCode("RequestLimitExceeded").errorMessage("slow down").build()).build();
        }
        launchOrder.add(name);
        return real.runInstances(request);
      }

    });
    for (String step : List.of("a1", "b1", "a2", "b2", "a3", "b3")) {
      harness.sqs().sendMessage(b -> b.queueUrl(queue).messageGroupId(step.substring(0, 1))
          .messageDeduplicationId(step).messageBody("{\"imageId\":\"" + SandboxHarness.AMI
              + "\",\"instanceType\":\"t3.micro\",\"tags\":{\"step\":\"" + step + "\"}}"));
    }

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> launchOrder.size() == 6
        && harness.depth(queue) == 0);

    List<String> groupA = launchOrder.stream().filter(s -> s.startsWith("a")).toList();
    List<String> groupB = launchOrder.stream().filter(s -> s.startsWith("b")).toList();
    assertThat(groupA).containsExactly("a1", "a2", "a3");
    assertThat(groupB).containsExactly("b1", "b2", "b3");
    // Group b did not wait for a1's back-off.
    assertThat(launchOrder.indexOf("b3")).isLessThan(launchOrder.indexOf("a1"));
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(6);
  }

  @Test
  void fifoDlqAndResultsQueuesGetGroupAndDeduplicationIds() throws Exception {
    String queue = fifoQueue("jobs.fifo");
    String dlq = fifoQueue("jobs-dlq.fifo");
    String results = fifoQueue("jobs-results.fifo");
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.queue-url", queue);
      o.put("launcher.dlq-url", dlq);
      o.put("launcher.results-queue-url", results);
      return o;
    }));
    harness.sqs().sendMessage(b -> b.queueUrl(queue).messageGroupId("g1").messageDeduplicationId("ok")
        .messageBody(SandboxHarness.request("t3.micro")));
    harness.sqs().sendMessage(b -> b.queueUrl(queue).messageGroupId("g2").messageDeduplicationId("bad")
        .messageBody("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"maxCount\":0}"));

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> harness.depth(queue) == 0
        && harness.depth(results) == 2);

    List<Message> dead = harness.drain(dlq);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).attributes()).containsEntry(
        software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID, "g2");
    Set<String> outcomes = harness.drain(results).stream().map(m -> {
      try {
        return JSON.readTree(m.body()).get("outcome").asText();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).collect(Collectors.toSet());
    assertThat(outcomes).containsExactlyInAnyOrder("LAUNCHED", "REJECTED");
    assertThat(worker.outcomes("rejected", "invalid_count")).isEqualTo(1);
  }

  @Test
  void launchTemplatesLaunchByNameOrIdAndUnknownOnesAreRejectedLikeEc2Does() {
    harness.ec2().registerLaunchTemplate("lt-0123456789abcdef0", "web");
    // Every template passes the worker's policy here, so that EC2 is the one to refuse the unknown one.
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-launch-templates", List.of("*"));
      return o;
    }));
    String byName = harness.send("{\"launchTemplate\":{\"name\":\"web\",\"version\":\"$Latest\"},"
        + "\"tags\":{\"team\":\"web\"}}");
    String byId = harness.send("{\"launchTemplate\":{\"id\":\"lt-0123456789abcdef0\"},\"instanceType\":\"t3.large\"}");
    harness.send("{\"launchTemplate\":{\"name\":\"nope\"}}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken()).containsOnlyKeys(byName, byId);
    assertThat(harness.instancesByToken().get(byId).get(0).instanceType()).isEqualTo("t3.large");
    assertThat(worker.outcomes("launched")).isEqualTo(2);
    assertThat(worker.outcomes("rejected", "ec2:InvalidLaunchTemplateName.NotFoundException")).isEqualTo(1);
  }

  @Test
  void aLatestTemplateVersionIsSentAsGivenSoARetryIsTheSameRequestNotAMismatch() {
    harness.ec2().registerLaunchTemplate("lt-0123456789abcdef0", "web");
    // The first attempt launches but its answer is lost (the SDK does not repeat it); the redelivery's tag
    // look-up lags behind, so the retry really calls RunInstances again.
    harness.ec2().faults().dropNextAnswersAfterLaunch(1);
    List<String> versionsSent = Collections.synchronizedList(new ArrayList<>());
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-launch-templates", List.of("web"));
      return o;
    }), real -> {
      Ec2Port lagging = SandboxHarness.lookupsLaggingWhile(real, new java.util.concurrent.atomic.AtomicBoolean(true));
      return new ForwardingEc2Port(lagging) {
        @Override
        public Reservation runInstances(RunInstancesRequest request) {
          versionsSent.add(request.launchTemplate().version());
          return lagging.runInstances(request);
        }

      };
    });
    harness.send("{\"launchTemplate\":{\"name\":\"web\",\"version\":\"$Latest\"}}");

    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(versionsSent).containsExactly("$Latest", "$Latest");
    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(1);
    assertThat(worker.outcomes("retry")).isEqualTo(1);
    assertThat(worker.outcomes("launched")).isEqualTo(1);
    assertThat(worker.counter(io.launchworker.ops.WorkerMetrics.LOOKUPS)).as("no mismatch look-up").isEqualTo(1);
    assertThat(worker.outcomes("rejected")).isZero();
  }

  private String fifoQueue(String name) {
    return harness.sandbox.sqs().createQueue(name, Map.of(QueueAttributeName.FIFO_QUEUE, "true",
        QueueAttributeName.VISIBILITY_TIMEOUT, "5"));
  }
}
