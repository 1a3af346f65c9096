package io.launchworker.bench;

import io.launchworker.sandbox.ec2.Ec2Faults;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The emulator's RunInstances latency as written on the command line: a fixed duration ({@code 0ms},
 * {@code 1s}), {@code lognormal:MEDIAN,SIGMA} ({@code lognormal:1s,0.5}) or {@code uniform:MIN,MAX}
 * ({@code uniform:1s,1.5s}, EC2 answering in 1.0 to 1.5 s). Draws come from the emulator's seeded source, so runs
 * repeat. Immutable.
 */
public sealed interface Ec2Latency {
  /** What {@code --ec2-latency} takes, for error messages. */
  String FORMS = "0ms, 1s, lognormal:MEDIAN,SIGMA (lognormal:1s,0.5) or uniform:MIN,MAX (uniform:1s,1.5s)";

  /** Parses the text; durations as in the config file (500ms, 1s, 1.5s). */
  static Ec2Latency parse(String text) {
    String t = text.trim();
    if (t.startsWith(LogNormal.PREFIX)) {
      String[] parts = pair(text, t.substring(LogNormal.PREFIX.length()), "lognormal:MEDIAN,SIGMA such as "
          + "lognormal:1s,0.5");
      double sigma;
      try {
        sigma = Double.parseDouble(parts[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "': SIGMA must be a number such as 0.5");
      }
      if (!(sigma >= 0) || Double.isInfinite(sigma)) {
        throw new IllegalArgumentException("'" + text + "': SIGMA must be a finite number >= 0 such as 0.5");
      }
      return new LogNormal(duration(text, parts[0]), sigma);
    }
    if (t.startsWith(Uniform.PREFIX)) {
      String[] parts = pair(text, t.substring(Uniform.PREFIX.length()), "uniform:MIN,MAX such as uniform:1s,1.5s");
      Duration min = duration(text, parts[0]);
      Duration max = duration(text, parts[1]);
      if (min.compareTo(max) > 0) {
        throw new IllegalArgumentException("'" + text + "': MIN must not be above MAX, as in uniform:1s,1.5s");
      }
      return new Uniform(min, max);
    }
    return new Fixed(duration(text, t));
  }

  /** Installs this latency for RunInstances on the emulator. */
  void applyTo(Ec2Faults faults);

  /** The mean delay: what Little's law needs for the concurrency bound. */
  Duration mean();

  /** Every call waits {@code delay}. */
  record Fixed(Duration delay) implements Ec2Latency {
    public Fixed {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative, got " + delay);
      }
    }

    @Override
    public void applyTo(Ec2Faults faults) {
      if (!delay.isZero()) {
        faults.runInstancesLatency(delay);
      }
    }

    @Override
    public Duration mean() {
      return delay;
    }

    @Override
    public String toString() {
      return delay.toMillis() + "ms";
    }
  }

  /** Log-normal delays: half below {@code median}, a long tail above it shaped by {@code sigma}. */
  record LogNormal(Duration median, double sigma) implements Ec2Latency {
    static final String PREFIX = "lognormal:";

    public LogNormal {
      if (median.isNegative() || !(sigma >= 0)) {
        throw new IllegalArgumentException("latency needs median >= 0 and sigma >= 0");
      }
    }

    @Override
    public void applyTo(Ec2Faults faults) {
      Supplier<Duration> delays = sigma == 0 ? () -> median : faults.logNormal(median, sigma);
      faults.runInstancesLatency(delays);
    }

    /** A log-normal's mean is median * exp(sigma^2 / 2), above its median. */
    @Override
    public Duration mean() {
      return Duration.ofNanos((long) (median.toNanos() * Math.exp(sigma * sigma / 2)));
    }

    @Override
    public String toString() {
      return PREFIX + median.toMillis() + "ms," + sigma;
    }
  }

  /** Delays spread evenly over {@code [min, max]}. */
  record Uniform(Duration min, Duration max) implements Ec2Latency {
    static final String PREFIX = "uniform:";

    public Uniform {
      if (min.isNegative() || min.compareTo(max) > 0) {
        throw new IllegalArgumentException("uniform latency needs 0 <= min <= max, got " + min + ", " + max);
      }
    }

    @Override
    public void applyTo(Ec2Faults faults) {
      faults.runInstancesLatency(faults.uniform(min, max));
    }

    @Override
    public Duration mean() {
      return min.plus(max).dividedBy(2);
    }

    @Override
    public String toString() {
      return PREFIX + min.toMillis() + "ms," + max.toMillis() + "ms";
    }
  }

  private static String[] pair(String text, String rest, String form) {
    String[] parts = rest.split(",", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("'" + text + "' is not " + form);
    }
    return parts;
  }

  private static Duration duration(String whole, String text) {
    Duration d;
    try {
      d = com.typesafe.config.ConfigFactory.parseString("d = \"" + text.trim().replace("\"", "") + "\"")
          .getDuration("d");
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("'" + whole + "': '" + text.trim() + "' is not a duration; --ec2-latency "
          + "takes " + FORMS);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + whole + "': a latency must not be negative");
    }
    return d;
  }
}
