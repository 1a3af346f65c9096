package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** When the receive loop counts as alive, on a fake clock; the loop's own reports are in {@link PollerTest}. */
class LivenessTest {
  private static final Duration LIMIT = Duration.ofSeconds(90);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Liveness liveness = new Liveness(clock, LIMIT, stopping::get);

  @Test
  void theLimitIsThreePollWindowsButNeverLessThanASdkCallGivingUpPlusAWindow() {
    assertThat(Liveness.limitFor(Duration.ofSeconds(30), Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(90));
    assertThat(Liveness.limitFor(Duration.ofSeconds(11), Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(71));
  }

  @Test
  void aLoopThatHasNotRunYetIsNotCalledWedged() {
    clock.advance(Duration.ofHours(1));

    assertThat(liveness.notLiveBecause()).isEmpty();
  }

  @Test
  void silenceBeyondTheLimitOutsideAKnownWaitFailsAndTheNextAttemptRecovers() {
    liveness.attempting();
    clock.advance(LIMIT.plusSeconds(1));
    assertThat(liveness.notLiveBecause()).isPresent();

    liveness.attempting();

    assertThat(liveness.notLiveBecause()).isEmpty();
  }

  @Test
  void aKnownWaitIsAliveHoweverLongAndTheLimitCountsFromItsEnd() {
    liveness.attempting();
    liveness.waiting(Liveness.Wait.HOURLY_CAP);
    clock.advance(Duration.ofHours(2));
    assertThat(liveness.notLiveBecause()).isEmpty();

    liveness.resumed();
    clock.advance(LIMIT);
    assertThat(liveness.notLiveBecause()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(liveness.notLiveBecause()).isPresent();
  }

  @Test
  void aWorkerShuttingDownIsAliveThoughItsLoopHasEnded() {
    liveness.attempting();
    stopping.set(true);
    clock.advance(Duration.ofHours(1));

    assertThat(liveness.notLiveBecause()).isEmpty();
  }
}
