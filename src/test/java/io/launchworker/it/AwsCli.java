package io.launchworker.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The AWS CLI (v1, {@code aws} on PATH) against one endpoint with dummy credentials, the way a producer or an
 * operator would call it; none of the caller's AWS settings or files reach it. Each call is a process (about a
 * second: Python starts every time). Not thread-safe.
 */
final class AwsCli {
  static final String REGION = "us-east-1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CALL_TIMEOUT_SECONDS = 60;

  private final URI endpoint;
  private final Path workDir;

  AwsCli(URI endpoint, Path workDir) {
    this.endpoint = endpoint;
    this.workDir = workDir;
  }

  /**
   * The environment both the CLI and the worker get: region (v1 reads AWS_DEFAULT_REGION, the SDK AWS_REGION),
   * dummy keys, and config and credentials files that do not exist, so a developer's ~/.aws changes nothing.
   */
  Map<String, String> environment() {
    return Map.of("AWS_DEFAULT_REGION", REGION, "AWS_REGION", REGION,
        "AWS_ACCESS_KEY_ID", "moto-it", "AWS_SECRET_ACCESS_KEY", "moto-it-secret",
        "AWS_CONFIG_FILE", workDir.resolve("no-aws-config").toString(),
        "AWS_SHARED_CREDENTIALS_FILE", workDir.resolve("no-aws-credentials").toString());
  }

  /** {@code aws --endpoint-url E --output json ARGS}; its JSON answer (missing when it printed nothing). */
  JsonNode run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", endpoint.toString(), "--output", "json"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "aws", ".out");
    Path err = Files.createTempFile(workDir, "aws", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    builder.environment().putAll(environment());
    Process process = builder.start();
    try {
      if (!process.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no answer within " + CALL_TIMEOUT_SECONDS + "s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("exit " + process.exitValue() + " from " + command + ": "
            + Files.readString(err));
      }
      String answer = Files.readString(out);
      return answer.isBlank() ? JSON.missingNode() : JSON.readTree(answer);
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
