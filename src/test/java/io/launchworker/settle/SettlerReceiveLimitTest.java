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
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * At the last receive the queue's redrive policy allows, nothing is handed back to SQS, whose own redrive would move
 * the message unexplained: it is dead-lettered with the reason it had. Before that receive, those outcomes stay as
 * they were.
 */
class SettlerReceiveLimitTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final int MAX_RECEIVE_COUNT = 5;
  private static final String QUEUE = "https://sqs/q";
  private static final String DLQ = "https://sqs/dlq";

  private final MutableClock clock = new MutableClock(NOW);
  private final ScriptedSqs sqs = new ScriptedSqs();
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final Settler settler = new Settler(sqs, QUEUE, new DeleteBatcher(sqs, QUEUE, metrics),
      new DeadLetterQueue(sqs, DLQ, metrics), Optional.empty(), 100, metrics, clock,
      OptionalInt.of(MAX_RECEIVE_COUNT));

  static List<Outcome> handedBack() {
    return List.of(Outcome.accountFault(Optional.of("AuthFailure"), "paused", Duration.ofSeconds(5)),
        Outcome.deferred(Duration.ofMinutes(10), "cap"), Outcome.released(),
        Outcome.held("waiting for reads", Duration.ofMinutes(2)),
        Outcome.retry("throttled", "slow down", Optional.of("RequestLimitExceeded"), Duration.ofSeconds(5)));
  }

  @ParameterizedTest
  @MethodSource("handedBack")
  void atTheLastReceiveAMessageHandedBackIsDeadLetteredWithItsReason(Outcome outcome) {
    Decision applied = settle(MAX_RECEIVE_COUNT, outcome);

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(applied.outcome().reason()).isEqualTo(Outcome.RECEIVE_LIMIT_REACHED);
    assertThat(applied.outcome().detail()).contains(outcome.reason(), "maxReceiveCount");
    assertThat(sqs.calls()).containsExactly("send " + DLQ, "delete h-5");
  }

  @ParameterizedTest
  @MethodSource("handedBack")
  void beforeTheLastReceiveItIsHandedBackAsBefore(Outcome outcome) {
    Decision applied = settle(MAX_RECEIVE_COUNT - 1, outcome);

    assertThat(applied.outcome()).isEqualTo(outcome);
    assertThat(sqs.calls()).singleElement().asString().startsWith("visibility h-4");
  }

  private Decision settle(int receiveCount, Outcome outcome) {
    InFlightMessage message = new InFlightMessage("m-1", "h-" + receiveCount, "{}", receiveCount, NOW, NOW,
        NOW.plusSeconds(60), Map.of(), Optional.empty());
    return settler.settle(message, new Decision("m-1", "tok-1", Optional.empty(), receiveCount, Optional.empty(),
        NOW, NOW, NOW, outcome));
  }
}
