package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The table {@code bench --targets} prints, from fixed reports: no bench runs here. */
class TargetMediansTest {
  private static final Scenario SCENARIO = new Scenario(1000, Ec2Latency.parse("0ms"), Optional.empty(),
      Optional.empty(), 32, 1, false, false, Duration.ofMinutes(10));
  private static final double MB = 1024.0 * 1024.0;

  /** A report of 1,000 requests and 1,000 RunInstances calls, as {@link BenchReport#json()} writes it. */
  private static String report(double drainSeconds, Timeline.Percentiles pickup, double cpuSeconds, double rssMb,
      double startupMs, long throttledCalls, int duplicates, int lost) {
    return new BenchReport(SCENARIO, "in-process worker", 1000, drainSeconds, 0, Timeline.Phases.NONE, pickup,
        new Timeline.Percentiles(0, Double.NaN, Double.NaN), "e2e", startupMs, "startup", cpuSeconds, "cpu", -1,
        (long) (rssMb * MB), (long) (rssMb * MB), "memory", 1000, throttledCalls,
        new Launches(1000 - lost, duplicates, lost, Map.of("t3.micro", 1000L - lost), Map.of()), 0, true,
        "0.1 0.1 0.1 -> 0.2 0.2 0.2").json();
  }

  private static Timeline.Percentiles pickup(double p50, double p99) {
    return new Timeline.Percentiles(1000, p50, p99);
  }

  @Test
  void theMedianIsTheMiddleValueOrTheLowerOfTheMiddleTwoSoAlwaysOneThatWasMeasured() {
    assertThat(TargetMedians.median(List.of(3.0, 1.0, 2.0))).isEqualTo(OptionalDouble.of(2.0));
    assertThat(TargetMedians.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(OptionalDouble.of(2.0));
    assertThat(TargetMedians.median(List.of(5.0))).isEqualTo(OptionalDouble.of(5.0));
    assertThat(TargetMedians.median(List.of())).isEmpty();
  }

  @Test
  void eachRowHasTheMedianOfEachFigureAndTheLargestDuplicateAndLostCounts() {
    TargetMedians medians = new TargetMedians(List.of("P1", "P2", "P3"));
    // P1: each figure's median comes from a different run; the duplicates and the lost one from two others.
    medians.add("P1", report(20, pickup(3, 30), 0.8, 250, 900, 20, 0, 0));
    medians.add("P1", report(25, pickup(5, 10), 1.0, 200, 1200, 10, 2, 0));
    medians.add("P1", report(16, pickup(4, 20), 0.9, 230, 1000, 0, 0, 1));
    // P2: an even count takes the lower middle value; a run without pickups leaves its pickups out.
    medians.add("P2", report(10, new Timeline.Percentiles(0, Double.NaN, Double.NaN), 0.5, 100, 0.4, 0, 0, 0));
    medians.add("P2", report(12.5, pickup(7, 9), 0.6, 120, 0.6, 0, 0, 0));

    assertThat(medians.table().lines()).containsExactly(
        "#        req/s   drain s  pick p50  pick p99  cpu ms/r  peak RSS MB  start ms  thrott %   dup  lost",
        "P1        50.0      20.0       4.0      20.0      0.90          230      1000      1.00     2     1",
        "P2        80.0      10.0       7.0       9.0      0.50          100         0      0.00     0     0",
        "P3           -         -         -         -         -            -         -         -     -     -");
    assertThat(medians.runs("P1")).isEqualTo(3);
    assertThat(medians.runs("P3")).isZero();
  }

  @Test
  void aReportThatIsNotJsonOrNotOfAKnownScenarioIsRefused() {
    TargetMedians medians = new TargetMedians(List.of("P1"));

    assertThatThrownBy(() -> medians.add("P1", "bench: CHECK FAILED")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a bench report");
    assertThatThrownBy(() -> medians.add("P1", "[1, 2]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> medians.add("P9", report(1, pickup(1, 1), 1, 1, 1, 0, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P9");
    assertThat(medians.runs("P1")).isZero();
  }
}
