package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.sandbox.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar as users run it: from any folder, configured by file and environment, stopped by signals. */
class PackagedJarIT {
  @TempDir
  Path elsewhere;

  /**
   * No region, credentials or endpoint from anywhere: no variables (WorkerProcess drops the caller's), no AWS
   * files, no instance metadata. What a fresh laptop has.
   */
  private Map<String, String> bareEnvironment() {
    return Map.of(
        "AWS_CONFIG_FILE", elsewhere.resolve("no-aws-config").toString(),
        "AWS_SHARED_CREDENTIALS_FILE", elsewhere.resolve("no-aws-credentials").toString(),
        "AWS_EC2_METADATA_DISABLED", "true");
  }

  private static Map<String, String> plus(Map<String, String> env, String... keysAndValues) {
    Map<String, String> all = new HashMap<>(env);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      all.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return all;
  }

  /** What `run` needs decided before it looks at AWS: the image and instance type lists and the token key. */
  private static Map<String, String> decided(Map<String, String> env) {
    return plus(env, "LAUNCHER_ALLOWED_IMAGE_IDS", "ami-0123456789abcdef0", "LAUNCHER_ALLOWED_INSTANCE_TYPES", "t3.*",
        "LAUNCHER_TOKEN_KEY", "none");
  }

  /** The jar's one-line answer: exit code 2, one line on the output, no stack trace. */
  private WorkerProcess finished(Map<String, String> env, String... args) throws Exception {
    WorkerProcess process = WorkerProcess.start(elsewhere, env, args);
    assertThat(process.waitFor(60)).as(process.output()).isEqualTo(2);
    return process;
  }

  @Test
  void sandboxExitWhenDonePrintsThePolicyAndTheTableWithZeroDuplicatesAndExits0() throws Exception {
    try (WorkerProcess sandbox = WorkerProcess.start(elsewhere, Map.of(), "sandbox", "--exit-when-done")) {
      int code = sandbox.waitFor(120);

      assertThat(code).as(sandbox.output()).isZero();
      assertThat(sandbox.output())
          .contains("sandbox: policy: instance types t3.*, t4g.* (instanceType required); no launch templates")
          .contains("sandbox: EC2 capacity: *:t3.large:*=0")
          .containsPattern("requests sent\\s+9")
          .containsPattern("launched after a fallback\\s+1")
          .containsPattern("shapes refused \\(capacity\\)\\s+1")
          .containsPattern("duplicate launches\\s+0")
          .containsPattern("duplicates prevented\\s+2")
          .containsPattern("malformed_json\\s+1")
          .containsPattern("instance_type_not_allowed\\s+1")
          .contains("all requests settled");
    }
  }

  @Test
  void sandboxPrintsEnqueueAndAuditLinesThatWorkAsPastedAndATableTheMetricsAgreeWith() throws Exception {
    try (WorkerProcess sandbox = WorkerProcess.start(elsewhere, Map.of(), "sandbox")) {
      await().atMost(Duration.ofSeconds(120)).until(() -> !sandbox.isAlive()
          || sandbox.output().contains("check that no request was launched twice"));
      String output = sandbox.output();
      String enqueue = lineAfter(output, "sandbox: send a request (from another terminal):");
      String audit = lineAfter(output, "sandbox: check that no request was launched twice:");
      long instances = Long.parseLong(group(output, "instances launched\\s+(\\d+)"));
      String metrics = get(group(output, "metrics (http://127\\.0\\.0\\.1:\\d+/metrics)"));

      assertThat(group(metrics, "(?m)^launcher_instances_launched_total(?:\\{[^}]*})? (\\S+)"))
          .isEqualTo(instances + ".0");
      // 8 instances in all: the crashed worker's, and 7 of the demo's requests; the worker's meter leaves out the one
      // whose answer the demo drops (1 or 2 instances, whichever request it hits), found later by its token.
      assertThat(Long.parseLong(group(output, "EC2 emulator: (\\d+) instances"))).isEqualTo(8);
      assertThat(instances).isBetween(5L, 6L);

      Shell sent = Shell.run(elsewhere, enqueue);
      assertThat(sent.code).as(sent.output).isZero();
      assertThat(sent.output).contains("enqueue: 1 sent, 0 bad, 0 failed, of 1 requests");
      await().atMost(Duration.ofSeconds(60)).until(() -> metricValue(get(group(output,
          "metrics (http://127\\.0\\.0\\.1:\\d+/metrics)"))) == instances + 1);

      Shell audited = Shell.run(elsewhere, audit);
      assertThat(audited.code).as(audited.output).isZero();
      assertThat(audited.output).contains("OK: every token has exactly one reservation");

      assertThat(sandbox.terminate(30)).as(sandbox.output()).isZero();
    }
  }

  @Test
  void runLaunchesThenStopsGracefullyOnSigtermAndExits0() throws Exception {
    try (Sandbox aws = Sandbox.start(Duration.ofSeconds(30))) {
      Path config = elsewhere.resolve("worker.conf");
      Files.writeString(config, "launcher.sqs.wait-time = 2s\nlauncher.shutdown.grace = 10s\n"
          + "launcher.policy.allowed-instance-types = [\"t3.*\"]\n");
      Map<String, String> env = WorkerProcess.sandboxEnvironment(aws, "0");
      try (WorkerProcess worker = WorkerProcess.start(elsewhere, env, "run", "--config", config.toString())) {
        for (int i = 0; i < 5; i++) {
          aws.sqs().client().sendMessage(b -> b.queueUrl(aws.queueUrl())
              .messageBody("{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\"}"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> aws.ec2().stats().instancesLaunched() == 5
            && aws.sqs().depth(aws.queueUrl()) == 0);

        long start = System.nanoTime();
        int code = worker.terminate(30);

        assertThat(code).as(worker.output()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(worker.output()).contains("termination signal received").contains("stopped:")
            .contains("policy: instance types t3.* (instanceType required); no launch templates; images, subnets, "
                + "security groups: any; key pairs, instance profiles: none");
      }
    }
  }

  @Test
  void versionIsTheBuildsAndAnUnknownLogFormatIsAConfigurationError() throws Exception {
    WorkerProcess version = WorkerProcess.start(elsewhere, Map.of(), "--version");
    assertThat(version.waitFor(60)).isZero();
    assertThat(version.output().strip()).matches("launch-worker \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");

    WorkerProcess logs = finished(Map.of("LAUNCHER_LOG_FORMAT", "yaml"), "check-config");
    assertThat(logs.output().lines()).containsExactly("launch-worker: configuration error: LAUNCHER_LOG_FORMAT = "
        + "\"yaml\": must be json or text (or unset: json for run, text for the other commands)");
  }

  @Test
  void withoutARegionOrCredentialsEachCommandSaysWhatToSetInOneLineAndExits2() throws Exception {
    Map<String, String> queues = plus(bareEnvironment(), "LAUNCHER_QUEUE_URL", "http://127.0.0.1:9/000000000000/q",
        "LAUNCHER_DLQ_URL", "http://127.0.0.1:9/000000000000/d");
    Map<String, String> credentials = plus(queues, "AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "secret");

    assertThat(finished(decided(credentials), "run").output().lines()).containsExactly(
        "launch-worker run: no AWS region: set AWS_REGION or launcher.aws.region");
    assertThat(finished(credentials, "enqueue", "--image-id", "ami-0123456789abcdef0").output().lines())
        .containsExactly("launch-worker enqueue: no AWS region: give --region or set AWS_REGION (or "
            + "launcher.aws.region in the --config file)");
    assertThat(finished(plus(queues, "AWS_REGION", "us-east-1"), "enqueue", "--image-id", "ami-0123456789abcdef0")
        .output().lines()).containsExactly("launch-worker enqueue: no AWS credentials: set AWS_ACCESS_KEY_ID and "
            + "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or pod role");
    assertThat(finished(credentials, "audit").output().lines()).containsExactly(
        "launch-worker audit: no AWS region: give --region or set AWS_REGION");
  }

  /** Issue 19: a fresh install must not run with empty allow-lists or no token key, whatever else it has. */
  @Test
  void runWithoutTheAllowListsAndATokenKeyRefusesBeforeAnythingElseNamingTheKeysInOneLine() throws Exception {
    Map<String, String> env = plus(bareEnvironment(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "key",
        "AWS_SECRET_ACCESS_KEY", "secret", "LAUNCHER_QUEUE_URL", "http://127.0.0.1:9/000000000000/q",
        "LAUNCHER_DLQ_URL", "http://127.0.0.1:9/000000000000/d");

    assertThat(finished(env, "run").output().lines()).singleElement().asString()
        .startsWith("launch-worker: configuration error: run needs a decision the built-in defaults leave open: ")
        .contains("launcher.policy.allowed-image-ids is empty (LAUNCHER_ALLOWED_IMAGE_IDS")
        .contains("launcher.policy.allowed-instance-types is empty (LAUNCHER_ALLOWED_INSTANCE_TYPES")
        .contains("launcher.token-key is not set (LAUNCHER_TOKEN_KEY");
  }

  @Test
  void runWithAnEndpointThatDoesNotAnswerNamesTheVariableItCameFrom() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Map<String, String> env = plus(bareEnvironment(), "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "key",
        "AWS_SECRET_ACCESS_KEY", "secret", "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:" + closed,
        "LAUNCHER_QUEUE_URL", "http://127.0.0.1:" + closed + "/000000000000/q",
        "LAUNCHER_DLQ_URL", "http://127.0.0.1:" + closed + "/000000000000/d");

    assertThat(finished(decided(env), "run").output().lines()).containsExactly("launch-worker run: cannot reach SQS at "
        + "http://127.0.0.1:" + closed + " (from AWS_ENDPOINT_URL_SQS): connection refused; check "
        + "AWS_ENDPOINT_URL_SQS");
  }

  @Test
  void runWhenTheAdminPortIsTakenNamesTheVariableItCameFromAndExits2() throws Exception {
    try (Sandbox aws = Sandbox.start(Duration.ofSeconds(30));
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(taken.getLocalPort());
      Map<String, String> env = plus(WorkerProcess.sandboxEnvironment(aws, port), "LAUNCHER_LOG_FORMAT", "text",
          "LAUNCHER_ALLOWED_INSTANCE_TYPES", "t3.*");

      WorkerProcess worker = finished(env, "run");

      assertThat(worker.output()).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(worker.output().lines().filter(l -> l.startsWith("launch-worker run:"))).containsExactly(
          "launch-worker run: admin server cannot listen on 127.0.0.1:" + port + ": port in use; "
              + "launcher.admin.port (from environment variable LAUNCHER_ADMIN_PORT): set LAUNCHER_ADMIN_PORT or "
              + "launcher.admin.port to a free port, 0 for any free port, or -1 for no admin server");
    }
  }

  private static String lineAfter(String output, String heading) {
    List<String> lines = output.lines().toList();
    int at = lines.indexOf(heading);
    assertThat(at).as(output).isNotNegative();
    return lines.get(at + 1).strip();
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex + " in " + text).isTrue();
    return m.group(1);
  }

  private static long metricValue(String metrics) {
    return (long) Double.parseDouble(group(metrics, "(?m)^launcher_instances_launched_total(?:\\{[^}]*})? (\\S+)"));
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** A command line run by {@code sh}, as pasted into a terminal, with this JVM's {@code java} first on the path. */
  private record Shell(int code, String output) {
    static Shell run(Path dir, String line) throws IOException, InterruptedException {
      ProcessBuilder builder = new ProcessBuilder("sh", "-c", line).directory(dir.toFile()).redirectErrorStream(true);
      builder.environment().keySet().removeIf(k -> k.startsWith("LAUNCHER_") || k.startsWith("AWS_"));
      String javaCommand = ProcessHandle.current().info().command().orElse("java");
      builder.environment().put("PATH", Path.of(javaCommand).getParent() + java.io.File.pathSeparator
          + builder.environment().getOrDefault("PATH", ""));
      Process process = builder.start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Shell(-1, output);
      }
      return new Shell(process.exitValue(), output);
    }
  }
}
