package io.launchworker.it;

import io.launchworker.sandbox.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts packaged-jar worker processes against a {@link Sandbox}, configured only the documented ways: a
 * config file passed with {@code --config} and the documented environment variables (queue URLs, the SDK's
 * standard endpoint, region and credential variables, the launcher's overrides). Remembers every process it
 * started so {@link #close()} can make sure none outlives the test. Not thread-safe: one test thread.
 */
final class SandboxWorkers implements AutoCloseable {
  /** Far above anything a test launches, so the rolling cap never defers a message. */
  private static final String MAX_INSTANCES_PER_HOUR = "100000000";
  /** High enough that the client-side EC2 budget never paces a test run. */
  private static final String RUN_INSTANCES_BURST = "10000";
  private static final String RUN_INSTANCES_PER_SECOND = "10000";

  private final Path workDir;
  private final Path configFile;
  private final Map<String, String> env;
  private final List<WorkerProcess> started = new ArrayList<>();

  /**
   * @param configText HOCON written to a file in workDir and passed with {@code --config}
   */
  SandboxWorkers(Sandbox aws, Path workDir, String configText) throws IOException {
    this.workDir = workDir;
    this.configFile = Files.writeString(workDir.resolve("worker.conf"), configText, StandardCharsets.UTF_8);
    Map<String, String> environment = new java.util.HashMap<>(WorkerProcess.sandboxEnvironment(aws, "-1"));
    environment.put("LAUNCHER_RUN_INSTANCES_BURST", RUN_INSTANCES_BURST);
    environment.put("LAUNCHER_RUN_INSTANCES_PER_SECOND", RUN_INSTANCES_PER_SECOND);
    environment.put("LAUNCHER_MAX_INSTANCES_PER_HOUR", MAX_INSTANCES_PER_HOUR);
    this.env = Map.copyOf(environment);
  }

  /** {@code java -jar target/ec2-launch-worker.jar run --config FILE}, as a new OS process. */
  WorkerProcess start() throws IOException {
    WorkerProcess worker = WorkerProcess.start(workDir, env, "run", "--config", configFile.toString());
    started.add(worker);
    return worker;
  }

  /** The last lines of every process started so far, for a failure message. */
  String tails(int lines) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < started.size(); i++) {
      out.append(System.lineSeparator()).append("--- worker process ").append(i + 1)
          .append(" (pid ").append(started.get(i).pid()).append(") ---").append(System.lineSeparator())
          .append(started.get(i).tail(lines));
    }
    return out.toString();
  }

  /** SIGKILL to whatever is still running. */
  @Override
  public void close() {
    started.forEach(WorkerProcess::close);
  }
}
