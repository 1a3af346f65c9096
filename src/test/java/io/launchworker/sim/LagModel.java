package io.launchworker.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long after a launch DescribeInstances first shows the instance: EC2's API is eventually consistent ("mostly
 * seconds, occasionally minutes", AWS's "Eventual consistency in the Amazon EC2 API"). A lag is drawn per instance
 * from weighted bands, each uniform between its bounds, with the simulation's seeded random. Immutable; thread-safe.
 */
public final class LagModel {
  /** One band: chosen with probability {@code weight / sum of weights}, then a uniform lag within [min, max]. */
  public record Band(double weight, Duration min, Duration max) {
    public Band {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (!(weight > 0) || min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("a band needs weight > 0 and 0 <= min <= max, got " + weight + ", "
            + min + ", " + max);
      }
    }
  }

  private final List<Band> bands;
  private final double totalWeight;

  private LagModel(List<Band> bands) {
    if (bands.isEmpty()) {
      throw new IllegalArgumentException("a lag model needs at least one band");
    }
    this.bands = List.copyOf(bands);
    this.totalWeight = bands.stream().mapToDouble(Band::weight).sum();
  }

  public static LagModel of(Band... bands) {
    return new LagModel(List.of(bands));
  }

  /** 90% within 0–5 s, 9% within 5–60 s, 1% within 1–5 minutes. */
  public static LagModel typical() {
    return of(new Band(0.90, Duration.ZERO, Duration.ofSeconds(5)),
        new Band(0.09, Duration.ofSeconds(5), Duration.ofSeconds(60)),
        new Band(0.01, Duration.ofSeconds(60), Duration.ofMinutes(5)));
  }

  /** Every launch shows at once (a strongly consistent EC2, as the token ledger is). */
  public static LagModel none() {
    return fixed(Duration.ZERO);
  }

  public static LagModel fixed(Duration lag) {
    return of(new Band(1, lag, lag));
  }

  /** One instance's lag, to the millisecond; a model of one fixed band draws nothing. */
  public Duration draw(RandomGenerator random) {
    Band band = bands.get(bands.size() - 1);
    if (bands.size() > 1) {
      double pick = random.nextDouble() * totalWeight;
      for (Band b : bands) {
        pick -= b.weight();
        if (pick < 0) {
          band = b;
          break;
        }
      }
    }
    long span = band.max().toMillis() - band.min().toMillis();
    return span == 0 ? band.min() : band.min().plusMillis(random.nextLong(span + 1));
  }

  @Override
  public String toString() {
    return "LagModel" + bands;
  }
}
