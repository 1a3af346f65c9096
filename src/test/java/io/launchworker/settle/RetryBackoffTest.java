package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.launchworker.settle.ErrorClass.Action;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private static final WorkerConfig.Retry SETTINGS = new WorkerConfig.Retry(Duration.ofSeconds(5),
      Duration.ofMinutes(15), Duration.ofMinutes(2), Duration.ofMinutes(10));

  /** Always picks the largest jitter, so the exponential envelope is visible. */
  private static final RandomGenerator TOP = new RandomGenerator() {
    @Override
    public long nextLong() {
      return Long.MAX_VALUE;
    }

    @Override
    public long nextLong(long bound) {
      return bound - 1;
    }
  };

  @Test
  void delayDoublesWithEachReceiveUpToTheCap() {
    RetryBackoff backoff = new RetryBackoff(SETTINGS, TOP);

    assertThat(backoff.delay(Action.RETRY, 1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(Action.RETRY, 2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.delay(Action.RETRY, 3)).isEqualTo(Duration.ofSeconds(20));
    assertThat(backoff.delay(Action.RETRY, 8)).isEqualTo(Duration.ofSeconds(640));
    assertThat(backoff.delay(Action.RETRY, 9)).isEqualTo(Duration.ofMinutes(15));
    assertThat(backoff.delay(Action.RETRY, 1_000)).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void jitterKeepsAtLeastHalfTheDelay() {
    RetryBackoff backoff = new RetryBackoff(SETTINGS, new SplittableRandom(7));

    for (int i = 0; i < 1_000; i++) {
      Duration d = backoff.delay(Action.RETRY, 3);
      assertThat(d).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(20));
    }
  }

  @Test
  void capacityAndQuotaErrorsUseTheirOwnLongDelays() {
    RetryBackoff backoff = new RetryBackoff(SETTINGS, TOP);

    assertThat(backoff.delay(Action.RETRY_CAPACITY, 1)).isEqualTo(Duration.ofMinutes(2));
    assertThat(backoff.delay(Action.RETRY_QUOTA, 1)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void neverAsksForMoreThanSqsTwelveHourVisibility() {
    WorkerConfig.Retry huge = new WorkerConfig.Retry(Duration.ofHours(12), Duration.ofHours(12),
        Duration.ofHours(12), Duration.ofHours(12));
    RetryBackoff backoff = new RetryBackoff(huge, TOP);

    assertThat(backoff.delay(Action.RETRY, 30)).isLessThanOrEqualTo(Duration.ofHours(12));
  }
}
