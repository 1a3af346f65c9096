package io.launchworker.bench;

import io.launchworker.sandbox.ec2.Ec2Faults;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The emulator's RunInstances latency as written on the command line: a fixed duration ({@code 0ms},
 * {@code 1s}) or {@code lognormal:MEDIAN,SIGMA} ({@code lognormal:1s,0.5}). Immutable.
 *
 * @param median the fixed delay, or the log-normal median
 * @param sigma 0 for a fixed delay, else the log-normal shape
 */
public record Ec2Latency(Duration median, double sigma) {
  private static final String LOGNORMAL = "lognormal:";

  public Ec2Latency {
    if (median.isNegative() || sigma < 0) {
      throw new IllegalArgumentException("latency needs median >= 0 and sigma >= 0");
    }
  }

  /** Parses the text; durations as in the config file (500ms, 1s). */
  public static Ec2Latency parse(String text) {
    String t = text.trim();
    if (t.startsWith(LOGNORMAL)) {
      String[] parts = t.substring(LOGNORMAL.length()).split(",");
      if (parts.length != 2) {
        throw new IllegalArgumentException("'" + text + "' is not lognormal:MEDIAN,SIGMA such as lognormal:1s,0.5");
      }
      try {
        return new Ec2Latency(duration(parts[0]), Double.parseDouble(parts[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "': sigma must be a number such as 0.5");
      }
    }
    return new Ec2Latency(duration(t), 0);
  }

  private static Duration duration(String text) {
    try {
      return com.typesafe.config.ConfigFactory.parseString("d = \"" + text.trim().replace("\"", "") + "\"")
          .getDuration("d");
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 0ms, 500ms, 1s");
    }
  }

  boolean isZero() {
    return median.isZero();
  }

  /** Installs this latency for RunInstances on the emulator. */
  void applyTo(Ec2Faults faults) {
    if (isZero()) {
      return;
    }
    Supplier<Duration> delays = sigma == 0 ? () -> median : faults.logNormal(median, sigma);
    faults.runInstancesLatency(delays);
  }

  /** Mean delay: a log-normal's mean is median * exp(sigma^2 / 2), above its median. */
  Duration mean() {
    return Duration.ofNanos((long) (median.toNanos() * Math.exp(sigma * sigma / 2)));
  }

  @Override
  public String toString() {
    return sigma == 0 ? median.toMillis() + "ms" : "lognormal:" + median.toMillis() + "ms," + sigma;
  }
}
