package io.launchworker.cli;

import static org.awaitility.Awaitility.await;

import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sandbox.DemoMix;
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
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * A sandbox run in this JVM, wired as {@code launch-worker sandbox} wires it ({@link WorkerRuntime}, admin
 * server on a free port), with a known mix: {@value #LAUNCHED} valid requests (one carrying userData) and two
 * rejections, {@code malformed_json} and {@code instance_type_not_allowed}; or the {@code sandbox} command's
 * demo mix. Both starters return once every message has a final outcome.
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
  /** The demo mix, when this run plays it; set once, before the run is handed out. */
  private DemoMix demo;

  private SandboxRun(Sandbox sandbox, WorkerRuntime runtime) {
    this.sandbox = sandbox;
    this.runtime = runtime;
  }

  /** The known mix above. */
  static SandboxRun start() {
    return start(List.of("t3.*"), Map.of(), (sandbox, config) -> { }, SandboxRun::sendMix,
        () -> LAUNCHED + REJECTION_REASONS.size());
  }

  /** The {@code sandbox} command's own demo mix ({@link DemoMix}), as that command configures it. */
  static SandboxRun startDemo() {
    return startDemo(Map.of());
  }

  /** The demo mix, with configuration {@code extra} over the test's (a fixed admin port, say). */
  static SandboxRun startDemo(Map<String, Object> extra) {
    DemoMix[] demo = new DemoMix[1];
    SandboxRun run = start(SandboxCommand.INSTANCE_TYPES, extra, (sandbox, config) -> {
      demo[0] = new DemoMix(sandbox, config);
      demo[0].prepare();
    }, r -> { }, () -> demo[0].sent());
    run.demo = demo[0];
    return run;
  }

  /** The requests the demo mix sent; only for a run started with {@link #startDemo}. */
  int demoSent() {
    return demo.sent();
  }

  /**
   * @param beforeWorker runs before the worker starts (the demo plays a crashed worker there)
   * @param send puts messages on the queue once the worker runs
   * @param finalOutcomes how many final outcomes (not retry) to wait for
   */
  private static SandboxRun start(List<String> allowedTypes, Map<String, Object> extra,
      BiConsumer<Sandbox, WorkerConfig> beforeWorker, Consumer<SandboxRun> send, IntSupplier finalOutcomes) {
    Sandbox sandbox = Sandbox.start(Duration.ofSeconds(30));
    SandboxRun run = null;
    try {
      Map<String, Object> overrides = new LinkedHashMap<>(sandbox.workerOverrides());
      overrides.put("launcher.admin.port", 0);
      overrides.put("launcher.admin.host", "127.0.0.1");
      overrides.put("launcher.sqs.wait-time", "1s");
      overrides.put("launcher.sqs.delete-flush-interval", "50ms");
      overrides.put("launcher.shutdown.grace", "5s");
      overrides.putAll(SandboxCommand.policy());
      overrides.put("launcher.policy.allowed-instance-types", allowedTypes);
      overrides.putAll(extra);
      WorkerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), overrides);
      beforeWorker.accept(sandbox, config);
      run = new SandboxRun(sandbox, WorkerRuntime.start(config,
          StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS)));
      send.accept(run);
      run.awaitSettled(finalOutcomes.getAsInt());
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

  void send(String body) {
    send(body, Map.of());
  }

  void send(String body, Map<String, MessageAttributeValue> attributes) {
    sandbox.sqs().client().sendMessage(b -> b.queueUrl(sandbox.queueUrl()).messageBody(body)
        .messageAttributes(attributes));
  }

  /** Waits until at least {@code expected} messages have a final outcome (not retry) and none is in flight. */
  void awaitSettled(int expected) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
        finalOutcomes() >= expected && runtime.worker().inFlight() == 0);
  }

  /** Messages with a final outcome so far: every outcome but retry and released. */
  long finalOutcomes() {
    return (long) runtime.registry().find(WorkerMetrics.OUTCOMES).counters().stream()
        .filter(c -> !List.of("retry", "released").contains(c.getId().getTag("outcome")))
        .mapToDouble(c -> c.count()).sum();
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
