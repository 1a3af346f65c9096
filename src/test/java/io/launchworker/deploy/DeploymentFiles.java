package io.launchworker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.ConfigFactory;
import io.launchworker.config.ConfigLoader;
import io.launchworker.config.EnvOverrides;
import io.launchworker.config.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The deployment files of the repository (docker/, config/, README.md) and the facts the tests compare them
 * with. Tests run with the project folder as working directory (Maven's default). Stateless.
 */
final class DeploymentFiles {
  static final Path ROOT = Paths.get("").toAbsolutePath();
  static final Path DOCKER = ROOT.resolve("docker");
  static final Path DOCKERFILE = DOCKER.resolve("Dockerfile");
  static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  static final Path K8S = DOCKER.resolve("k8s");
  static final Path CONFIG_REFERENCE = ROOT.resolve("config/worker.conf");
  static final Path README = ROOT.resolve("README.md");
  static final Path OPERATING = ROOT.resolve("src/site/markdown/operating.md");

  /**
   * After the grace period the worker still flushes pending deletes and closes its clients before it exits:
   * whatever kills it (docker stop, the kubelet) must wait at least this much longer than the grace.
   */
  static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

  /** What a deployment's Secret or shell would hold: a key as `openssl rand -base64 32` prints it. */
  static final String STAND_IN_TOKEN_KEY = "c3RhbmQtaW4ta2V5LW9mLWF0LWxlYXN0LTMyLWJ5dGVzLQ==";

  private static final YAMLMapper YAML = new YAMLMapper();

  private DeploymentFiles() {}

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of every {@code .yaml} file in a folder. */
  static List<JsonNode> yamlDocuments(Path folder) {
    List<JsonNode> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          while (it.hasNext()) {
            JsonNode doc = it.next();
            if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
              documents.add(doc);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return documents;
  }

  /** The configuration a worker would run with, given a {@code --config} file's text (or none) and its env. */
  static WorkerConfig effectiveConfig(Optional<String> configFileText, Map<String, String> env) {
    if (configFileText.isEmpty()) {
      return ConfigLoader.load(Optional.empty(), env, Map.of());
    }
    try {
      Path file = Files.createTempFile("worker", ".conf");
      try {
        Files.writeString(file, configFileText.get(), StandardCharsets.UTF_8);
        return ConfigLoader.load(Optional.of(file), env, Map.of());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code env} and one more variable. */
  static Map<String, String> plus(Map<String, String> env, String name, String value) {
    Map<String, String> all = new java.util.LinkedHashMap<>(env);
    all.put(name, value);
    return all;
  }

  /** A built-in default, straight from the configuration reference the jar carries. */
  static int defaultInt(String key) {
    return ConfigLoader.merged(Optional.empty(), Map.of(), Map.of()).getInt(key);
  }

  /** A duration written the way compose and HOCON both accept it, e.g. {@code 35s}. */
  static Duration duration(String text) {
    return ConfigFactory.parseString("d = " + text).getDuration("d");
  }

  /**
   * Why an environment variable a deployment file sets is not documented, or empty when it is: a
   * {@code LAUNCHER_*} variable must be one {@link EnvOverrides} reads and be named in config/worker.conf;
   * any other (the AWS SDK's) must be named in the README or the operating guide.
   */
  static Optional<String> undocumented(String variable) {
    if (variable.startsWith("LAUNCHER_")) {
      if (!EnvOverrides.VARIABLES.containsKey(variable)) {
        return Optional.of(variable + " is not read by the worker (EnvOverrides.VARIABLES)");
      }
      if (!read(CONFIG_REFERENCE).contains(variable)) {
        return Optional.of(variable + " is not named in config/worker.conf");
      }
      return Optional.empty();
    }
    if (!read(README).contains(variable) && !read(OPERATING).contains(variable)) {
      return Optional.of(variable + " is not named in README.md or src/site/markdown/operating.md");
    }
    return Optional.empty();
  }
}
