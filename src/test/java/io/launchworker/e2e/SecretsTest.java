package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.testing.LogCapture;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** userData and credentials never reach logs, result events or metrics, whatever happens to the request. */
class SecretsTest {
  private static final String SECRET = "MARKER-SECRET-7f3a9c";
  private static final String USER_DATA =
      Base64.getEncoder().encodeToString(("#!/bin/sh\nexport DB_PASSWORD=" + SECRET + "\n").getBytes());

  private final SandboxHarness harness = new SandboxHarness();
  private final LogCapture captured = new LogCapture();

  @AfterEach
  void stop() {
    harness.close();
    captured.close();
  }

  @Test
  void userDataAndCredentialsAppearInNoLogResultOrMetric() {
    harness.ec2().faults().seed(3).dropAnswerAfterLaunchRate(0.3)
        .failNext("RunInstances", "InvalidParameterValue", 400, 1);
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.results-queue-url", harness.sandbox.resultsUrl());
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      return o;
    }));
    String ami = SandboxHarness.AMI;
    // Launched, EC2-rejected, policy-rejected, schema-rejected, malformed: each path that could echo a body.
    harness.sendMany(10, i -> "{\"imageId\":\"" + ami + "\",\"instanceType\":\"t3.micro\",\"userData\":\""
        + USER_DATA + "\"}");
    harness.send("{\"imageId\":\"" + ami + "\",\"instanceType\":\"m5.large\",\"userData\":\"" + USER_DATA + "\"}");
    harness.send("{\"imageId\":\"" + ami + "\",\"userData\":\"" + USER_DATA + "\",\"oops\":1}");
    harness.send("{\"imageId\":\"" + ami + "\",\"userData\":\"" + USER_DATA + "\",\"minCount\":");
    harness.send("{\"imageId\":\"" + ami + "\",\"userData\":\"" + USER_DATA + "!!\"}");

    harness.awaitDrained(Duration.ofSeconds(30));

    String logs = captured.text();
    String results = harness.drain(harness.sandbox.resultsUrl()).stream().map(Message::body)
        .collect(Collectors.joining("\n"));
    String metrics = worker.scrape();
    assertThat(logs).contains("LAUNCHED").contains("REJECTED");
    assertThat(results).contains("\"outcome\":\"LAUNCHED\"").contains("\"outcome\":\"REJECTED\"");
    for (String secret : List.of(SECRET, USER_DATA, USER_DATA.substring(8, 40),
        EmbeddedSqs.CREDENTIALS.secretAccessKey(), EmbeddedSqs.CREDENTIALS.accessKeyId())) {
      assertThat(logs).as("logs").doesNotContain(secret);
      assertThat(results).as("result events").doesNotContain(secret);
      assertThat(metrics).as("metrics").doesNotContain(secret);
    }
  }
}
