package io.launchworker.cli;

import static org.awaitility.Awaitility.await;

import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.Sandbox;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A sandbox run in this JVM, wired as {@code launch-worker sandbox} wires it ({@link WorkerRuntime}, admin
 * server on a free port), with a known mix: {@value #LAUNCHED} valid requests (one carrying userData) and two
 * rejections, {@code malformed_json} and {@code instance_type_not_allowed}. {@link #start()} returns once all
 * of them are settled.
 */
final class SandboxRun implements AutoCloseable {
  static final int LAUNCHED = 5;
  static final List<String> REJECTION_REASONS = List.of("malformed_json", "instance_type_not_allowed");
  /** In the userData of one request; must never reach the status page, a log or a metric. */
  static final String USER_DATA_MARKER = "echo top-secret-user-data-7f3a";
  static final String USER_DATA_BASE64 =
      Base64.getEncoder().encodeToString(("#!/bin/sh\n" + USER_DATA_MARKER + "\n").getBytes());
  private static final String AMI = "ami-0123456789abcdef0";

  final Sandbox sandbox;
  final WorkerRuntime runtime;
  final List<String> requestIds = new ArrayList<>();

  private SandboxRun(Sandbox sandbox, WorkerRuntime runtime) {
    this.sandbox = sandbox;
    this.runtime = runtime;
  }

  static SandboxRun start() {
    Sandbox sandbox = Sandbox.start(Duration.ofSeconds(30));
    SandboxRun run = null;
    try {
      Map<String, Object> overrides = new LinkedHashMap<>(sandbox.workerOverrides());
      overrides.put("launcher.admin.port", 0);
      overrides.put("launcher.admin.host", "127.0.0.1");
      overrides.put("launcher.sqs.wait-time", "1s");
      overrides.put("launcher.sqs.delete-flush-interval", "50ms");
      overrides.put("launcher.shutdown.grace", "5s");
      overrides.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      WorkerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), overrides);
      run = new SandboxRun(sandbox, WorkerRuntime.start(config,
          StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS)));
      run.sendMix();
      run.awaitSettled();
      return run;
    } catch (RuntimeException | Error e) {
      if (run != null) {
        run.close();
      } else {
        sandbox.close();
      }
      throw e;
    }
  }

  private void sendMix() {
    for (int i = 1; i <= LAUNCHED; i++) {
      String requestId = "page-test-" + i;
      requestIds.add(requestId);
      String userData = i == 1 ? ",\"userData\":\"" + USER_DATA_BASE64 + "\"" : "";
      send("{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\",\"requestId\":\"" + requestId + "\""
          + userData + "}");
    }
    send("{\"imageId\": \"" + AMI + "\", \"instanceType\": ");
    send("{\"imageId\":\"" + AMI + "\",\"instanceType\":\"p5.48xlarge\",\"requestId\":\"page-test-too-big\"}");
  }

  private void send(String body) {
    sandbox.sqs().client().sendMessage(b -> b.queueUrl(sandbox.queueUrl()).messageBody(body));
  }

  private void awaitSettled() {
    int expected = LAUNCHED + REJECTION_REASONS.size();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
        runtime.registry().find(WorkerMetrics.OUTCOMES).counters().stream().mapToDouble(c -> c.count()).sum()
            >= expected && runtime.worker().inFlight() == 0);
  }

  int adminPort() {
    return runtime.adminPort().orElseThrow();
  }

  List<EmulatedInstance> instances() {
    return sandbox.ec2().instances();
  }

  /** The current value of a gauge as the registry reads it. */
  double gauge(String name, String... tags) {
    return runtime.registry().get(name).tags(tags).gauge().value();
  }

  @Override
  public void close() {
    try {
      runtime.close();
    } finally {
      sandbox.close();
    }
  }
}
