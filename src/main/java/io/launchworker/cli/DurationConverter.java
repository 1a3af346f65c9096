package io.launchworker.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Reads durations as in the config file: 500ms, 20s, 15m, 12h. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return com.typesafe.config.ConfigFactory.parseString("d = \"" + value.replace("\"", "") + "\"").getDuration("d");
    } catch (com.typesafe.config.ConfigException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a duration such as 500ms, 20s, 15m");
    }
  }
}
