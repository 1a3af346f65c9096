package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.ops.WorkerState;
import io.launchworker.ops.WorkerState.Colour;
import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The status page's state line: which state wins, its detail and its colour. */
class WorkerStatusTest {
  private static final WorkerStatus.CapUse ROOM = new WorkerStatus.CapUse(false, 3, 100);
  private static final WorkerStatus.CapUse FULL = new WorkerStatus.CapUse(true, 100, 100);

  @Test
  void readyWithRoomAndNothingHeldIsReady() {
    assertThat(WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), ROOM, 0))
        .isEqualTo(new WorkerState("ready", "", Colour.OK));
  }

  @Test
  void aFullHourlyCapIsBusyNotBrokenAndSaysHowFull() {
    WorkerState state = WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), FULL, 0);

    assertThat(state.name()).isEqualTo("cap_reached");
    assertThat(state.colour()).isEqualTo(Colour.BUSY);
    assertThat(state.detail()).contains("100 of 100 instances launched in the last hour");
  }

  @Test
  void handlersWaitingForTheConsistencyWindowAreShownWithTheirCount() {
    WorkerState state = WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), ROOM, 2);

    assertThat(state.name()).isEqualTo("consistency_hold");
    assertThat(state.colour()).isEqualTo(Colour.BUSY);
    assertThat(state.detail()).startsWith("2 messages held by the consistency window");
  }

  @Test
  void aFullCapOutranksTheConsistencyWindow() {
    assertThat(WorkerStatus.choose(Readiness.Reason.READY, Optional.empty(), FULL, 2).name())
        .isEqualTo("cap_reached");
  }

  @Test
  void notReadyShowsTheReadinessReasonWithItsTextWhateverTheCapOrTheWindowSay() {
    assertThat(WorkerStatus.choose(Readiness.Reason.ACCOUNT_PAUSED, Optional.of("UnauthorizedOperation: denied"),
        FULL, 2)).isEqualTo(new WorkerState("account_paused", "UnauthorizedOperation: denied", Colour.BAD));
    assertThat(WorkerStatus.choose(Readiness.Reason.RECEIVE_FAILING, Optional.of("receive failing: x"), ROOM, 0)
        .colour()).isEqualTo(Colour.BAD);
    assertThat(WorkerStatus.choose(Readiness.Reason.RECEIVE_STALE, Optional.of("stale"), ROOM, 0).colour())
        .isEqualTo(Colour.BAD);
    assertThat(WorkerStatus.choose(Readiness.Reason.NO_RECEIVE_YET, Optional.of("none yet"), ROOM, 0).colour())
        .isEqualTo(Colour.WARN);
    assertThat(WorkerStatus.choose(Readiness.Reason.CAP_NOT_COUNTED, Optional.of("not counted"), FULL, 0))
        .isEqualTo(new WorkerState("cap_not_counted", "not counted", Colour.WARN));
    assertThat(WorkerStatus.choose(Readiness.Reason.SHUTTING_DOWN, Optional.of("shutting down"), ROOM, 0).colour())
        .isEqualTo(Colour.OFF);
  }

  @Test
  void theStateFollowsReadinessTheCapAndTheWindowAsTheyChange() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    AtomicReference<Optional<String>> paused = new AtomicReference<>(Optional.empty());
    Readiness readiness = new Readiness(clock, Duration.ofSeconds(30), paused::get, Optional::empty);
    AtomicReference<WorkerStatus.CapUse> cap = new AtomicReference<>(ROOM);
    int[] waiting = {0};
    WorkerStatus status = new WorkerStatus(readiness, new Liveness(clock, Duration.ofSeconds(90), () -> false),
        cap::get, () -> waiting[0]);

    assertThat(status.state().name()).isEqualTo("no_receive_yet");
    readiness.receiveSucceeded(clock.instant());
    assertThat(status.state().name()).isEqualTo("ready");
    waiting[0] = 1;
    assertThat(status.state().name()).isEqualTo("consistency_hold");
    cap.set(FULL);
    assertThat(status.state().name()).isEqualTo("cap_reached");
    paused.set(Optional.of("UnauthorizedOperation"));
    assertThat(status.state()).isEqualTo(new WorkerState("account_paused", "UnauthorizedOperation", Colour.BAD));
  }
}
