package io.launchworker.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One of the performance targets' scenarios P1-P7: a name, a request count and the other {@code bench} options
 * it runs with. {@code bench --targets} runs each of {@link #ALL}; {@link #arguments(double)} is the command line
 * of one run. Immutable.
 *
 * @param name P1 to P7, as the targets' table numbers them
 * @param requests the scenario's {@code --requests}
 * @param options its other {@code bench} options, one argument each
 */
public record TargetScenario(String name, int requests, List<String> options) {
  /** In the order they run and appear in the table. */
  public static final List<TargetScenario> ALL = List.of(
      new TargetScenario("P1", 2000, List.of("--ec2-latency", "lognormal:1s,0.5", "--max-in-flight", "64")),
      new TargetScenario("P2", 1000, List.of("--ec2-bucket", "50/20")),
      new TargetScenario("P3", 300, List.of("--ec2-bucket", "5/2")),
      new TargetScenario("P4", 20000, List.of()),
      new TargetScenario("P5", 200, List.of("--one-at-a-time")),
      new TargetScenario("P6", 20000, List.of("--separate-process", "--worker-java-options", "-Xmx128m")),
      new TargetScenario("P7", 2000, List.of("--workers", "4", "--ec2-bucket", "50/20")));

  public TargetScenario {
    options = List.copyOf(options);
  }

  /**
   * The {@code bench} arguments of one run, with the request count multiplied by {@code scale} (rounded, at
   * least 1): {@code 1} is the scenario itself, {@code 0.01} a quick check that every scenario still runs.
   *
   * @throws IllegalArgumentException when {@code scale} is not a positive number
   */
  public List<String> arguments(double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("--scale must be a number above 0, e.g. 0.01; got " + scale);
    }
    List<String> arguments = new ArrayList<>(List.of("--requests",
        Long.toString(Math.min(Integer.MAX_VALUE, Math.max(1, Math.round(requests * scale))))));
    arguments.addAll(options);
    return List.copyOf(arguments);
  }
}
