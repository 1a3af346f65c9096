package io.launchworker.cli;

import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that read configuration. */
final class ConfigOption {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file layered over the built-in defaults (see config/worker.conf).")
  Path file;

  WorkerConfig load() {
    return ConfigLoader.load(Optional.ofNullable(file));
  }

  WorkerConfig load(Map<String, Object> overrides) {
    return ConfigLoader.load(Optional.ofNullable(file), System.getenv(), overrides);
  }
}
