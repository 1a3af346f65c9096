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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every branch of the settle decision, on a scripted SQS and a fake clock: what is called, in which order. */
class SettlerTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final int MAX_ATTEMPTS = 3;
  private static final String QUEUE = "https://sqs/q";
  private static final String DLQ = "https://sqs/dlq";
  private static final String RESULTS = "https://sqs/results";

  private final MutableClock clock = new MutableClock(NOW);
  private final ScriptedSqs sqs = new ScriptedSqs();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final WorkerMetrics metrics = new WorkerMetrics(registry);
  private final DeleteBatcher deletes = new DeleteBatcher(sqs, QUEUE, metrics);
  private final Settler settler = new Settler(sqs, QUEUE, deletes, new DeadLetterQueue(sqs, DLQ, metrics),
      Optional.of(new ResultEvents(sqs, RESULTS)), MAX_ATTEMPTS, metrics, clock);

  @Test
  void aLaunchPublishesItsResultThenDeletesInTheNextBatch() {
    Decision applied = settle(1, Outcome.launched("r-1", List.of(new Outcome.InstanceRef("i-1", "pending"))));
    deletes.flush();

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(sqs.calls()).containsExactly("send " + RESULTS, "delete h-1");
  }

  @Test
  void aRejectionIsDeadLetteredAndPublishedBeforeItsImmediateDelete() {
    settle(1, Outcome.rejected("unknown_field", "instanceTyp: unknown", Optional.empty()));

    assertThat(sqs.calls()).containsExactly("send " + DLQ, "send " + RESULTS, "delete h-1");
  }

  @Test
  void aRetryHidesTheMessageForItsBackOffRoundedUpToWholeSecondsAndCappedAtTwelveHours() {
    settle(1, Outcome.retry("throttled", "slow down", Optional.empty(), Duration.ofMillis(1_200)));
    settle(1, Outcome.retry("throttled", "slow down", Optional.empty(), Duration.ofHours(13)));
    settle(1, Outcome.deferred(Duration.ofMinutes(10), "cap"));

    assertThat(sqs.calls()).containsExactly("visibility h-1 2", "visibility h-1 43200", "visibility h-1 600");
  }

  @Test
  void aReleaseMakesTheMessageVisibleAtOnce() {
    settle(1, Outcome.released());

    assertThat(sqs.calls()).containsExactly("visibility h-1 0");
  }

  @Test
  void aRetryAtTheAttemptLimitIsDeadLetteredAsMaxAttemptsExceeded() {
    Decision applied = settle(MAX_ATTEMPTS, Outcome.retry("throttled", "slow down", Optional.of("Throttling"),
        Duration.ofSeconds(5)));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(applied.outcome().reason()).isEqualTo("max_attempts_exceeded");
    assertThat(applied.outcome().detail()).contains("gave up after 3 attempts", "throttled");
    assertThat(sqs.calls()).containsExactly("send " + DLQ, "send " + RESULTS, "delete h-3");
  }

  @Test
  void anAccountFaultAtTheAttemptLimitStaysARetryBecauseTheRequestIsNotAtFault() {
    Decision applied = settle(MAX_ATTEMPTS + 5, Outcome.accountFault(Optional.of("UnauthorizedOperation"),
        "denied", Duration.ofSeconds(30)));

    assertThat(applied.outcome().reason()).isEqualTo("account_fault");
    assertThat(sqs.calls()).containsExactly("visibility h-8 30");
  }

  @Test
  void whenTheDlqFailsTheMessageIsKeptForAnotherAttemptNotDeleted() {
    sqs.fail("send", 503, 1);

    Decision applied = settle(1, Outcome.rejected("unknown_field", "x", Optional.empty()));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(applied.outcome().reason()).isEqualTo("settle_failed");
    assertThat(sqs.calls()).containsExactly("visibility h-1 30");
  }

  @Test
  void whenTheResultEventOfALaunchFailsTheMessageIsKeptUntilItsLastAttemptThenDeletedAnyway() {
    sqs.fail("send", 503, 2);

    Decision early = settle(1, Outcome.launched("r-1", List.of()));
    Decision last = settle(MAX_ATTEMPTS, Outcome.launched("r-1", List.of()));
    deletes.flush();

    assertThat(early.outcome().reason()).isEqualTo("settle_failed");
    assertThat(last.outcome().kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(sqs.calls()).containsExactly("visibility h-1 30", "delete h-3");
    assertThat(registry.get(WorkerMetrics.RESULT_EVENTS_LOST).counter().count()).isEqualTo(1);
  }

  @Test
  void everySettledMessageIsCountedByItsOutcomeAndReason() {
    settle(1, Outcome.released());

    assertThat(registry.get(WorkerMetrics.OUTCOMES).tag("outcome", "released").tag("reason", "shutdown").counter()
        .count()).isEqualTo(1);
  }

  private Decision settle(int receiveCount, Outcome outcome) {
    InFlightMessage message = new InFlightMessage("m-1", "h-" + receiveCount, "{\"imageId\":\"ami-1\"}",
        receiveCount, NOW.minusSeconds(5), NOW, NOW.plusSeconds(60), Map.of(), Optional.empty());
    return settler.settle(message, new Decision("m-1", "m-1", Optional.empty(), receiveCount, Optional.empty(),
        NOW.minusSeconds(5), NOW, clock.instant(), outcome));
  }
}
