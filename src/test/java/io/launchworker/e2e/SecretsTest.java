package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.sandbox.EmbeddedSqs;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;

/** userData and credentials never reach logs, result events or metrics, whatever happens to the request. */
class SecretsTest {
  private static final String SECRET = "MARKER-SECRET-7f3a9c";
  private static final String USER_DATA =
      Base64.getEncoder().encodeToString(("#!/bin/sh\nexport DB_PASSWORD=" + SECRET + "\n").getBytes());

  private final SandboxHarness harness = new SandboxHarness();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender;
  private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();

  @BeforeEach
  void captureEveryLogLine() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(logging);
    encoder.setPattern("%level %logger %msg %kvp %mdc %ex%n");
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(logging);
    appender.setEncoder(encoder);
    appender.setOutputStream(captured);
    appender.start();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    logging.getLogger("io.launchworker").setLevel(Level.DEBUG);
    logging.getLogger("io.launchworker.outcome").setLevel(Level.DEBUG);
  }

  @AfterEach
  void stop() {
    harness.close();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    logging.getLogger("io.launchworker").setLevel(null);
    logging.getLogger("io.launchworker.outcome").setLevel(Level.ERROR);
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

    String logs = captured.toString(StandardCharsets.UTF_8);
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
