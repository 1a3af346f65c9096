package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.MutableClock;
import io.launchworker.testing.ScriptedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Found by the fleet simulation (seed 449): a handler waited out the consistency window while the keeper failed to
 * extend its message; another process received it and launched it; the first then dead-lettered it at its attempt
 * limit. A decision that took long confirms, with a visibility change, that its receive still holds the message
 * before it dead-letters it.
 */
class SettlerStillHeldTest {
  private static final Instant RECEIVED = Instant.parse("2026-12-07T12:00:00Z");

  private final MutableClock clock = new MutableClock(RECEIVED);
  private final ScriptedSqs sqs = new ScriptedSqs();
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final Settler settler = new Settler(sqs, "https://q", new DeleteBatcher(sqs, "https://q", metrics),
      new DeadLetterQueue(sqs, "https://dlq", metrics), Optional.empty(), 3, metrics, clock);

  @Test
  void aLongDecisionWhoseReceiveNoLongerHoldsTheMessageIsNotDeadLettered() {
    clock.advance(Duration.ofMinutes(2));
    sqs.fail("visibility", 400, 1);

    Decision applied = settle(Outcome.rejected("instance_type_not_allowed", "not allowed", Optional.empty()));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.RELEASED);
    assertThat(applied.outcome().reason()).isEqualTo("lost_to_another_receive");
    assertThat(sqs.sends()).isEmpty();
    assertThat(sqs.calls()).noneMatch(c -> c.startsWith("delete"));
  }

  @Test
  void aLongDecisionThatStillHoldsItIsDeadLetteredAfterHidingItForTheSettle() {
    clock.advance(Duration.ofMinutes(2));

    Decision applied = settle(Outcome.rejected("instance_type_not_allowed", "not allowed", Optional.empty()));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(sqs.calls()).startsWith("visibility h-2 30");
    assertThat(sqs.sends()).hasSize(1);
  }

  @Test
  void aQuickDecisionIsDeadLetteredWithoutTheExtraCall() {
    Decision applied = settle(Outcome.rejected("malformed_json", "bad", Optional.empty()));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(sqs.calls()).noneMatch(c -> c.startsWith("visibility"));
  }

  private Decision settle(Outcome outcome) {
    InFlightMessage message = new InFlightMessage("m-1", "h-2", "{}", 2, RECEIVED, RECEIVED, RECEIVED.plusSeconds(60),
        Map.of(), Optional.empty());
    return settler.settle(message, new Decision("m-1", "m-1", Optional.empty(), 2, Optional.empty(), RECEIVED,
        RECEIVED, clock.instant(), outcome));
  }
}
