package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenarioTest {
  private static Scenario scenario(Optional<Bucket> ec2Bucket, Optional<Bucket> rate, int workers) {
    return new Scenario(100, Ec2Latency.parse("0ms"), ec2Bucket, rate, 16, workers, false, false,
        Duration.ofMinutes(1));
  }

  @Test
  void workerBudgetIsTheEc2BucketSharedAmongTheWorkers() {
    assertThat(scenario(Optional.of(Bucket.parse("50/20")), Optional.empty(), 4).workerBudget())
        .isEqualTo(new Bucket(12, 5.0));
  }

  @Test
  void explicitRateWinsOverTheEc2Bucket() {
    assertThat(scenario(Optional.of(Bucket.parse("50/20")), Optional.of(Bucket.parse("5/2")), 4).workerBudget())
        .isEqualTo(new Bucket(5, 2.0));
  }

  @Test
  void withoutAnyBucketTheBudgetIsEffectivelyUnlimited() {
    assertThat(scenario(Optional.empty(), Optional.empty(), 1).workerBudget().toString()).isEqualTo("unlimited");
  }

  @Test
  void severalWorkersAlwaysRunAsChildProcesses() {
    assertThat(scenario(Optional.empty(), Optional.empty(), 2).childProcesses()).isTrue();
    assertThat(scenario(Optional.empty(), Optional.empty(), 1).childProcesses()).isFalse();
  }

  @Test
  void latencyReadsFixedDurationsAndLogNormalDistributions() {
    assertThat(Ec2Latency.parse("1s")).isEqualTo(new Ec2Latency(Duration.ofSeconds(1), 0));
    assertThat(Ec2Latency.parse("lognormal:1s,0.5")).isEqualTo(new Ec2Latency(Duration.ofSeconds(1), 0.5));
    assertThat(Ec2Latency.parse("lognormal:1s,0.5").mean().toMillis()).isEqualTo(1133);
    assertThatThrownBy(() -> Ec2Latency.parse("lognormal:1s")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void percentilesUseNearestRank() {
    double[] sample = new double[100];
    for (int i = 0; i < 100; i++) {
      sample[i] = 100 - i;
    }
    Timeline.Percentiles p = Timeline.Percentiles.of(sample);
    assertThat(p.p50()).isEqualTo(50);
    assertThat(p.p99()).isEqualTo(99);
    assertThat(Timeline.Percentiles.of(new double[0]).count()).isZero();
  }
}
