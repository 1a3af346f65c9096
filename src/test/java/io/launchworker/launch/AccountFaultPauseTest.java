package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One probe launch per back-off period while the account is at fault; the back-off doubles; a launch resumes. */
class AccountFaultPauseTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
  private final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofSeconds(20));

  @Test
  void withoutAFaultEverythingMayLaunchAndTheReceiveIsNotLimited() {
    assertThat(pause.mayLaunch()).isTrue();
    assertThat(pause.receiveLimit()).isEmpty();
    assertThat(pause.pausedBecause()).isEmpty();
  }

  @Test
  void aFaultAllowsOneProbeLaunchAndOneProbeMessagePerBackOffPeriod() {
    assertThat(pause.faulted("UnauthorizedOperation", "not authorized")).isTrue();

    assertThat(pause.mayLaunch()).isFalse();
    assertThat(pause.receiveLimit()).contains(0);
    assertThat(pause.untilProbe()).isEqualTo(Duration.ofSeconds(5));

    clock.advance(Duration.ofSeconds(5));
    assertThat(pause.receiveLimit()).contains(1);
    assertThat(pause.receiveLimit()).contains(0);
    assertThat(pause.mayLaunch()).isTrue();
    assertThat(pause.mayLaunch()).isFalse();
    assertThat(pause.pausedBecause()).hasValueSatisfying(r -> assertThat(r)
        .contains("UnauthorizedOperation").contains("1 probe"));
  }

  @Test
  void aFailedProbeDoublesTheBackOffUpToTheMaximum() {
    pause.faulted("AuthFailure", "x");
    assertThat(pause.untilProbe()).isEqualTo(Duration.ofSeconds(5));
    for (Duration expected : new Duration[] {Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(20)}) {
      clock.advance(pause.untilProbe());
      assertThat(pause.mayLaunch()).isTrue();
      assertThat(pause.faulted("AuthFailure", "x")).isFalse();
      assertThat(pause.untilProbe()).isEqualTo(expected);
    }
  }

  @Test
  void faultsOfLaunchesAlreadyInFlightWhenThePauseBeganDoNotPushTheProbeBack() {
    pause.faulted("UnauthorizedOperation", "first of a burst");
    clock.advance(Duration.ofSeconds(1));

    pause.faulted("UnauthorizedOperation", "second of the burst");
    pause.faulted("UnauthorizedOperation", "third of the burst");

    assertThat(pause.untilProbe()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void aSuccessfulLaunchResumesAndTheNextFaultStartsFromTheFirstBackOff() {
    pause.faulted("OptInRequired", "x");
    clock.advance(Duration.ofSeconds(5));
    pause.mayLaunch();
    pause.faulted("OptInRequired", "x");

    pause.launched();

    assertThat(pause.current()).isEmpty();
    assertThat(pause.mayLaunch()).isTrue();
    assertThat(pause.receiveLimit()).isEqualTo(Optional.empty());
    pause.faulted("OptInRequired", "x");
    assertThat(pause.untilProbe()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aProbeMessageRefusedBeforeItsLaunchStillDoublesTheBackOff() {
    pause.faulted("AuthFailure", "x", "DescribeInstances");
    clock.advance(Duration.ofSeconds(5));
    assertThat(pause.receiveLimit()).contains(1);

    // The probe message's look-up is refused: no launch probe was granted, yet this is the probe's answer.
    pause.faulted("AuthFailure", "x", "DescribeInstances");

    assertThat(pause.untilProbe()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void knowsWhetherAnythingLaunchedSinceAnInstant() {
    Instant sent = clock.instant();
    assertThat(pause.launchedSince(sent)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    pause.launched();
    assertThat(pause.launchedSince(sent)).isTrue();
  }
}
