package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsConfigTest {
  private static final Map<String, String> REQUIRED_ENV = Map.of(
      "LAUNCHER_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests",
      "LAUNCHER_DLQ_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/launch-requests-dlq");

  @TempDir
  Path dir;

  @Test
  void prometheusIsTheDefaultRegistryWithTheDocumentedNamespaceAndStep() {
    WorkerConfig c = ConfigLoader.load(Optional.empty(), REQUIRED_ENV, Map.of());

    assertThat(c.metrics().registry()).isEqualTo(WorkerConfig.Metrics.Registry.PROMETHEUS);
    assertThat(c.metrics().cloudwatchNamespace()).isEqualTo("ec2-launch-worker");
    assertThat(c.metrics().step()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.aws().cloudwatchEndpoint()).isEmpty();
  }

  @Test
  void fileChoosesCloudWatchWithItsNamespaceStepAndEndpoint() throws IOException {
    Path file = Files.writeString(dir.resolve("w.conf"), "launcher.metrics { registry = cloudwatch\n"
        + "cloudwatch-namespace = \"team/launcher\"\nstep = 10s }\n"
        + "launcher.aws.cloudwatch-endpoint = \"http://localhost:4566\"\n");

    WorkerConfig c = ConfigLoader.load(Optional.of(file), REQUIRED_ENV, Map.of());

    assertThat(c.metrics()).isEqualTo(new WorkerConfig.Metrics(WorkerConfig.Metrics.Registry.CLOUDWATCH,
        "team/launcher", Duration.ofSeconds(10)));
    assertThat(c.aws().cloudwatchEndpoint()).contains(URI.create("http://localhost:4566"));
  }

  @Test
  void environmentVariableLauncherMetricsRegistryOverridesTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("w.conf"), "launcher.metrics.registry = prometheus\n");
    Map<String, String> env = new HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_METRICS_REGISTRY", "cloudwatch");

    WorkerConfig c = ConfigLoader.load(Optional.of(file), env, Map.of());

    assertThat(c.metrics().registry()).isEqualTo(WorkerConfig.Metrics.Registry.CLOUDWATCH);
  }

  @Test
  void unknownRegistryIsAConfigErrorNamingKeyValueSourceAndTheAllowedValues() {
    Map<String, String> env = new HashMap<>(REQUIRED_ENV);
    env.put("LAUNCHER_METRICS_REGISTRY", "datadog");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), env, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("launcher.metrics.registry = \"datadog\" (from environment variable LAUNCHER_METRICS_REGISTRY):"
            + " must be one of prometheus, cloudwatch");
  }

  @Test
  void registryNamesAreExactSoUpperCaseIsRejectedToo() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), REQUIRED_ENV,
        Map.of("launcher.metrics.registry", "CloudWatch")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("launcher.metrics.registry = \"CloudWatch\"")
        .hasMessageContaining("must be one of prometheus, cloudwatch");
  }

  @Test
  void stepOutsideOneSecondToOneHourAndEmptyNamespaceAreRejected() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), REQUIRED_ENV,
        Map.of("launcher.metrics.step", "500ms")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("launcher.metrics.step = \"500ms\"")
        .hasMessageContaining("must be from 1s to 1h");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), REQUIRED_ENV,
        Map.of("launcher.metrics.cloudwatch-namespace", " ")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("launcher.metrics.cloudwatch-namespace")
        .hasMessageContaining("must not be empty");
  }
}
