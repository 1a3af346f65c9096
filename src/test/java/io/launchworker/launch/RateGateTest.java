package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateGateTest {
  /** A clock that only moves when the gate "sleeps", recording each sleep. */
  private final AtomicLong now = new AtomicLong();
  private final List<Duration> sleeps = new ArrayList<>();
  private final RateGate.Sleeper sleeper = d -> {
    sleeps.add(d);
    now.addAndGet(d.toNanos());
  };

  @Test
  void burstPassesAtOnceThenCallsArePacedAtTheRefillRate() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);

    for (int i = 0; i < 5; i++) {
      assertThat(gate.acquire(() -> false)).isTrue();
    }
    assertThat(sleeps).isEmpty();
    for (int i = 0; i < 4; i++) {
      assertThat(gate.acquire(() -> false)).isTrue();
    }

    assertThat(Duration.ofNanos(now.get())).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aThrottleHalvesTheRateAndEmptiesTheBucket() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);

    gate.throttled();

    assertThat(gate.currentRate()).isEqualTo(1.0);
    assertThat(gate.acquire(() -> false)).isTrue();
    assertThat(Duration.ofNanos(now.get())).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void successesClimbBackToTheConfiguredRateButNotAbove() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);
    gate.throttled();
    gate.throttled();
    assertThat(gate.currentRate()).isEqualTo(0.5);

    for (int i = 0; i < 100; i++) {
      gate.succeeded();
    }

    assertThat(gate.currentRate()).isEqualTo(2.0);
  }

  @Test
  void theRateNeverFallsBelowOneSixteenthOfTheConfiguredRate() {
    RateGate gate = new RateGate(5, 16.0, now::get, sleeper);

    for (int i = 0; i < 20; i++) {
      gate.throttled();
    }

    assertThat(gate.currentRate()).isEqualTo(1.0);
  }

  @Test
  void aStoppingWorkerGivesUpWaitingWithoutTakingAToken() {
    RateGate gate = new RateGate(1, 0.001, now::get, sleeper);
    assertThat(gate.acquire(() -> false)).isTrue();

    boolean[] stopping = {false};
    RateGate.Sleeper stopAfterFirstSleep = d -> stopping[0] = true;
    RateGate waiting = new RateGate(1, 0.001, now::get, stopAfterFirstSleep);
    waiting.acquire(() -> false);

    assertThat(waiting.acquire(() -> stopping[0])).isFalse();
  }

  @Test
  void longWaitsAreSlicedSoStoppingIsNoticedPromptly() {
    RateGate gate = new RateGate(1, 0.5, now::get, sleeper);
    gate.acquire(() -> false);

    gate.acquire(() -> false);

    assertThat(sleeps).hasSize(20).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(100)));
  }
}
