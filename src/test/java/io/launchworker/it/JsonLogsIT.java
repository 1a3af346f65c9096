package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's "logs are valid JSON with the fields listed": the packaged jar's {@code run}, left to its default log
 * format, writes nothing but JSON objects, and every outcome line carries the message's identity, the outcome and
 * how long it took; a launch names its reservation and instances.
 */
class JsonLogsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path elsewhere;

  @Test
  void everyLineOfRunIsJsonAndOutcomeLinesCarryTheListedFields() throws Exception {
    try (Sandbox aws = Sandbox.start(Duration.ofSeconds(30))) {
      Path config = elsewhere.resolve("worker.conf");
      Files.writeString(config, "launcher.sqs.wait-time = 1s\nlauncher.shutdown.grace = 10s\n"
          + "launcher.policy.allowed-instance-types = [\"t3.*\"]\n");
      Map<String, String> env = WorkerProcess.sandboxEnvironment(aws, "-1");
      List<JsonNode> lines;
      String launchId;
      String rejectId;
      try (WorkerProcess worker = WorkerProcess.start(elsewhere, env, "run", "--config", config.toString())) {
        launchId = aws.sqs().client().sendMessage(b -> b.queueUrl(aws.queueUrl()).messageBody(
            "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"requestId\":\"job-17\"}"))
            .messageId();
        rejectId = aws.sqs().client().sendMessage(b -> b.queueUrl(aws.queueUrl()).messageBody("{\"imageId\":"))
            .messageId();
        await().atMost(Duration.ofSeconds(60)).until(() -> aws.sqs().depth(aws.queueUrl()) == 0
            && aws.sqs().depth(aws.dlqUrl()) == 1);

        int code = worker.terminate(30);

        assertThat(code).as(worker.output()).isZero();
        lines = parseEveryLine(worker.output());
      }

      assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l.path("time").isTextual()).isTrue())
          .anySatisfy(l -> assertThat(l.path("message").asText()).contains("termination signal received"));
      JsonNode launched = outcomeLine(lines, launchId);
      assertThat(launched.path("outcome").asText()).isEqualTo("LAUNCHED");
      assertThat(launched.path("reason").asText()).isEqualTo("ok");
      assertThat(launched.path("token").asText()).isEqualTo(launchId);
      assertThat(launched.path("requestId").asText()).isEqualTo("job-17");
      assertThat(launched.path("receiveCount").asText()).isEqualTo("1");
      assertThat(launched.path("reservationId").asText()).startsWith("r-");
      assertThat(launched.path("instanceIds").toString()).contains("i-");
      assertThat(launched.path("durationMs").isNumber()).isTrue();

      JsonNode rejected = outcomeLine(lines, rejectId);
      assertThat(rejected.path("outcome").asText()).isEqualTo("REJECTED");
      assertThat(rejected.path("reason").asText()).isEqualTo("malformed_json");
      assertThat(rejected.path("level").asText()).isEqualTo("WARN");
      assertThat(rejected.path("token").asText()).isEqualTo(rejectId);
      assertThat(rejected.path("receiveCount").asText()).isEqualTo("1");
      assertThat(rejected.has("requestId")).as("no request ID was sent").isFalse();
      assertThat(rejected.has("reservationId")).isFalse();
      assertThat(rejected.path("durationMs").isNumber()).isTrue();
    }
  }

  private static List<JsonNode> parseEveryLine(String output) {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode node = JSON.readTree(line);
        assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
        lines.add(node);
      } catch (java.io.IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }
    return lines;
  }

  private static JsonNode outcomeLine(List<JsonNode> lines, String messageId) {
    List<JsonNode> found = lines.stream().filter(l -> l.path("logger_name").asText().equals("io.launchworker.outcome"))
        .filter(l -> l.path("messageId").asText().equals(messageId)).toList();
    assertThat(found).as("outcome lines of %s", messageId).hasSize(1);
    return found.get(0);
  }
}
