package io.launchworker.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A packaged jar run as a separate OS process, its output captured to a file. */
final class WorkerProcess implements AutoCloseable {
  /** The whole tool: the service's commands plus sandbox and bench. */
  static final Path JAR = Paths.get("target", "ec2-launch-worker.jar").toAbsolutePath();
  /** What production ships: run, check-config, enqueue and audit only. */
  static final Path SERVICE_JAR = Paths.get("target", "ec2-launch-worker-service.jar").toAbsolutePath();

  private final Process process;
  private final Path output;

  private WorkerProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * The environment that points {@code run} at a sandbox, the documented way: queue URLs, SDK region,
   * credentials and service endpoints, and the admin port ("-1" off, "0" any free port); of the decisions {@code run}
   * requires, as a container makes them without a file, the sandbox's token key and open ("*") images, subnets and
   * security groups. The instance types are the test's to list (a variable would override its --config file).
   */
  static Map<String, String> sandboxEnvironment(io.launchworker.sandbox.Sandbox aws, String adminPort) {
    return Map.ofEntries(
        Map.entry("LAUNCHER_ALLOWED_IMAGE_IDS", "*"),
        Map.entry("LAUNCHER_ALLOWED_SUBNET_IDS", "*"),
        Map.entry("LAUNCHER_ALLOWED_SECURITY_GROUP_IDS", "*"),
        Map.entry("LAUNCHER_TOKEN_KEY", aws.tokenKey()),
        Map.entry("LAUNCHER_QUEUE_URL", aws.queueUrl()),
        Map.entry("LAUNCHER_DLQ_URL", aws.dlqUrl()),
        Map.entry("LAUNCHER_ADMIN_PORT", adminPort),
        Map.entry("AWS_REGION", io.launchworker.sandbox.EmbeddedSqs.REGION.id()),
        Map.entry("AWS_ACCESS_KEY_ID", io.launchworker.sandbox.EmbeddedSqs.CREDENTIALS.accessKeyId()),
        Map.entry("AWS_SECRET_ACCESS_KEY", io.launchworker.sandbox.EmbeddedSqs.CREDENTIALS.secretAccessKey()),
        Map.entry("AWS_ENDPOINT_URL_SQS", aws.sqs().endpoint().toString()),
        Map.entry("AWS_ENDPOINT_URL_EC2", aws.ec2().endpoint().toString()),
        // The emulator's reads show a launch at once (unless a test makes them lag): a short window keeps the
        // waits it still makes (a repeat listing several shapes, a repeat rejected) within a test's bounds.
        Map.entry("LAUNCHER_CONSISTENCY_WINDOW", "1s"));
  }

  static WorkerProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    return start(JAR, workDir, env, args);
  }

  /** {@code java -jar JAR ARGS} in {@code workDir}, {@code env} replacing the caller's LAUNCHER_ and AWS_ variables. */
  static WorkerProcess start(Path jar, Path workDir, Map<String, String> env, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar.toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(workDir, "worker", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("LAUNCHER_") || k.startsWith("AWS_"));
    builder.environment().putAll(env);
    return new WorkerProcess(builder.start(), output);
  }

  /** SIGTERM (what {@code Process.destroy} sends on Linux), then the exit code, or -1 if it did not exit. */
  int terminate(long timeoutSeconds) throws InterruptedException {
    process.destroy();
    return waitFor(timeoutSeconds);
  }

  int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      return -1;
    }
    return process.exitValue();
  }

  /** SIGKILL: the crash no handler sees. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /** The last {@code lines} lines of the output, for failure messages. */
  String tail(int lines) {
    List<String> all = output().lines().toList();
    return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  long pid() {
    return process.pid();
  }

  static File jarFile() {
    return JAR.toFile();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
