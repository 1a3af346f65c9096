package io.launchworker.cli;

import com.typesafe.config.ConfigRenderOptions;
import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code check-config}: validates the configuration and prints the effective values, secrets masked. */
@Command(name = "check-config", description = "Validate the configuration and print the effective values.")
final class CheckConfigCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    WorkerConfig checked = config.load();
    String rendered = ConfigLoader.merged(Optional.ofNullable(config.file), System.getenv(), Map.of())
        .getConfig("launcher").root()
        .render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    spec.commandLine().getOut().println("launcher " + io.launchworker.ops.Secrets.maskConfiguration(rendered));
    spec.commandLine().getOut().println("# configuration is valid; queue " + checked.queueUrl());
    return 0;
  }
}
