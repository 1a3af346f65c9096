package io.launchworker.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.launchworker.config.ConfigException;
import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.ops.Secrets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code check-config}: prints the effective values as HOCON that {@code --config} takes back unchanged and validates
 * them as {@code run} does (also the decisions {@code run} requires: image and instance type lists, a token key).
 * Secrets are printed as {@code "****"} (keys named like a secret that are set and not blank, and credentials in
 * URLs); loading such output back is a configuration error naming the key, so a printed
 * configuration never runs with a mask for a key.
 */
@Command(name = "check-config",
    description = {"Print the effective configuration and validate it as run does.",
        "The output is a configuration file --config accepts; secrets are printed as \"****\", and such a file is "
            + "refused until the real values are put back."})
final class CheckConfigCommand implements Callable<Integer> {
  /** The keys {@link Secrets#maskConfiguration} treats as secret, applied here to values, not text. */
  private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|token-key|session-token).*");
  private static final String MASK = "****";

  @Mixin
  ConfigOption config;

  @Spec
  CommandSpec spec;

  /**
   * Prints the effective values first (on a fresh machine: the built-in defaults), so a problem can be read beside
   * them, then checks them as {@code run} does and reports every problem at once, each with its key and variable:
   * queue URLs not set, a bad value, a decision {@code run} requires (an empty image or instance type list, no token
   * key). Any problem is a configuration error, exit 2, after the printout.
   */
  @Override
  public Integer call() {
    Config effective = ConfigLoader.merged(Optional.ofNullable(config.file), System.getenv(), Map.of());
    Config printed = ConfigFactory.empty();
    for (Map.Entry<String, ConfigValue> entry : effective.getConfig("launcher").entrySet()) {
      printed = printed.withValue(entry.getKey(), masked(entry.getKey(), entry.getValue()));
    }
    String rendered = printed.atKey("launcher").root()
        .render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    spec.commandLine().getOut().print(rendered);
    spec.commandLine().getOut().flush();
    List<String> problems = ConfigLoader.problems(Optional.ofNullable(config.file), System.getenv());
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
    WorkerConfig checked = config.load();
    spec.commandLine().getOut().println("# configuration is valid; queue " + Secrets.mask(checked.queueUrl()));
    return ServiceCommand.EXIT_OK;
  }

  /**
   * A secret's value as {@value #MASK}; a blank one as it is, since blank is what is wrong with it, and
   * {@code token-key = none}, which is a choice, not a secret.
   */
  private static ConfigValue masked(String key, ConfigValue value) {
    if (value.valueType() != ConfigValueType.STRING) {
      return value;
    }
    String text = (String) value.unwrapped();
    boolean unsigned = key.equals("token-key") && text.trim().equals(ConfigLoader.UNSIGNED_TOKEN_KEY);
    if (SECRET_KEY.matcher(key).matches() && !text.isBlank() && !unsigned) {
      return ConfigValueFactory.fromAnyRef(MASK);
    }
    return ConfigValueFactory.fromAnyRef(Secrets.mask(text));
  }
}
