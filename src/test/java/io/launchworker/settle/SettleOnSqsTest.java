package io.launchworker.settle;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.message.MessageAttributes;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.WithEmbeddedSqs;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The settle stage's SQS calls against ElasticMQ, driven by a fake clock: no waiting. */
class SettleOnSqsTest extends WithEmbeddedSqs {
  private static int queues;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final WorkerMetrics metrics = new WorkerMetrics(registry);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
  private String queueUrl;



  @BeforeEach
  void newQueue() {
    queueUrl = sqs.createQueue("settle-" + (++queues), Duration.ofSeconds(30));
  }

  @Test
  void theKeeperExtendsOnlyMessagesWhoseVisibilityIsRunningOut() {
    InFlightRegistry inFlight = new InFlightRegistry();
    VisibilityKeeper keeper = new VisibilityKeeper(client(), queueUrl, inFlight, Duration.ofSeconds(30), 0.5, clock,
        metrics);
    List<InFlightMessage> messages = receive(12);
    messages.forEach(inFlight::register);
    InFlightMessage fresh = messages.get(0);
    inFlight.remove(fresh);
    inFlight.register(copyVisibleUntil(fresh, clock.instant().plusSeconds(60)));

    keeper.tick();
    assertThat(metrics.registry().counter(WorkerMetrics.VISIBILITY_EXTENSIONS).count()).isZero();

    clock.advance(Duration.ofSeconds(16));
    keeper.tick();

    assertThat(metrics.registry().counter(WorkerMetrics.VISIBILITY_EXTENSIONS).count()).isEqualTo(11);
    assertThat(messages.subList(1, 12)).allSatisfy(m ->
        assertThat(m.visibleAgainAt()).isEqualTo(clock.instant().plusSeconds(30)));
  }

  @Test
  void theKeeperUsesTheNewestReceiptHandleWhenSqsHandedTheMessageOutAgain() {
    InFlightRegistry inFlight = new InFlightRegistry();
    InFlightMessage first = receive(1).get(0);
    inFlight.register(first);
    // SQS redelivers it (its visibility ran out): the old handle is stale now.
    client().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(first.receiptHandle())
        .visibilityTimeout(0));
    InFlightMessage again = receiveOnly(1).get(0);
    assertThat(inFlight.register(again)).containsSame(first);
    assertThat(first.receiptHandle()).isEqualTo(again.receiptHandle());

    settler(null, 10).settle(first, decision(first, "t", Outcome.launched("r-1",
        List.of(new Outcome.InstanceRef("i-1", "pending")))));
    flushAllPending();

    assertThat(sqs.depth(queueUrl)).isZero();
  }

  @Test
  void deletesGoOutInBatchesOfTenAndPartialBatchesOnFlush() {
    DeleteBatcher deletes = batcher();
    List<InFlightMessage> messages = receive(25);

    messages.forEach(deletes::delete);

    assertThat(deletes.pendingCount()).isEqualTo(5);
    assertThat(metrics.registry().counter(WorkerMetrics.DELETES).count()).isEqualTo(20);
    deletes.flush();
    assertThat(deletes.pendingCount()).isZero();
    assertThat(sqs.depth(queueUrl)).isZero();
  }

  @Test
  void aStaleReceiptHandleIsLoggedAndCountedNeverRetriedForever() {
    DeleteBatcher deletes = batcher();
    InFlightMessage message = receive(1).get(0);
    InFlightMessage stale = new InFlightMessage(message.messageId(), "not-a-real-handle", message.body(), 1,
        clock.instant(), clock.instant(), clock.instant(), Map.of(), Optional.empty());

    deletes.delete(stale);
    deletes.flushAll();

    assertThat(deletes.pendingCount()).isZero();
    assertThat(registry.find(WorkerMetrics.DELETE_FAILURES).counters().stream().mapToDouble(c -> c.count()).sum())
        .isPositive();
  }

  @Test
  void aRetryHidesTheMessageForItsBackOffAndAReleaseShowsItAtOnce() {
    Settler settler = settler(null, 10);
    List<InFlightMessage> two = receive(2);

    settler.settle(two.get(0), decision(two.get(0), "t1", Outcome.retry("throttled", "slow down",
        Optional.of("RequestLimitExceeded"), Duration.ofMinutes(5))));
    settler.settle(two.get(1), decision(two.get(1), "t2", Outcome.released()));

    assertThat(attribute(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo(1);
    assertThat(attribute(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isEqualTo(1);
  }

  @Test
  void aRetryAtTheAttemptLimitIsDeadLetteredWithTheTokenAndTheLastFailure() {
    String dlq = sqs.createQueue("settle-dlq-" + queues, Duration.ofSeconds(30));
    Settler settler = settler(new DeadLetterQueue(client(), dlq, metrics), 1);
    InFlightMessage message = receive(1).get(0);

    Outcome applied = settler.settle(message, decision(message, "tok-1", Outcome.retry("ec2_unavailable",
        "InternalError: boom", Optional.of("InternalError"), Duration.ofSeconds(5)))).outcome();
    flushAllPending();

    assertThat(applied.kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(applied.reason()).isEqualTo("max_attempts_exceeded");
    Message dead = client().receiveMessage(b -> b.queueUrl(dlq).messageAttributeNames("All")).messages().get(0);
    assertThat(dead.body()).isEqualTo(message.body());
    assertThat(dead.messageAttributes().get(MessageAttributes.TOKEN).stringValue()).isEqualTo("tok-1");
    assertThat(dead.messageAttributes().get(MessageAttributes.DETAIL).stringValue()).contains("InternalError: boom");
    assertThat(dead.messageAttributes().get(MessageAttributes.ERROR_CODE).stringValue()).isEqualTo("InternalError");
  }

  @Test
  void whenTheDlqFailsTheSourceMessageIsKeptNotDeleted() {
    Settler settler = settler(new DeadLetterQueue(client(), queueUrl + "-does-not-exist", metrics), 10);
    InFlightMessage message = receive(1).get(0);

    Outcome applied = settler.settle(message, decision(message, "t", Outcome.rejected("malformed_json", "bad",
        Optional.empty()))).outcome();
    flushAllPending();

    assertThat(applied.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(applied.reason()).isEqualTo("settle_failed");
    assertThat(sqs.depth(queueUrl)).isEqualTo(1);
  }

  @Test
  void aLaunchedMessageWhoseResultEventKeepsFailingIsDeletedAtItsLastAttempt() {
    Decision applied = settleLaunchWithUnwritableResults(1);

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(sqs.depth(queueUrl)).isZero();
    assertThat(registry.counter(WorkerMetrics.RESULT_EVENTS_LOST).count()).isEqualTo(1);
  }

  @Test
  void beforeTheLastAttemptAFailedResultEventKeepsTheMessage() {
    Decision applied = settleLaunchWithUnwritableResults(5);

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(sqs.depth(queueUrl)).isEqualTo(1);
  }

  @Test
  void twoMessagesOfOneTokenBothReachAFifoDlqWithinTheDeduplicationWindow() {
    String fifoDlq = sqs.createQueue("settle-dlq-" + queues + ".fifo", Map.of(
        QueueAttributeName.FIFO_QUEUE, "true"));
    Settler settler = settler(new DeadLetterQueue(client(), fifoDlq, metrics), 10);
    List<InFlightMessage> two = receive(2);

    two.forEach(m -> settler.settle(m, decision(m, "same-token", Outcome.rejected("token_conflict", "x",
        Optional.empty()))));

    assertThat(attribute(fifoDlq, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo(2);
  }

  private DeleteBatcher lastBatcher;

  /** Settles one launched message whose result event cannot be sent (the results queue does not exist). */
  private Decision settleLaunchWithUnwritableResults(int maxAttempts) {
    ResultEvents unwritable = new ResultEvents(client(), queueUrl + "-results-missing");
    Settler settler = new Settler(client(), queueUrl, batcher(), null, Optional.of(unwritable), maxAttempts,
        metrics, clock);
    InFlightMessage message = receive(1).get(0);
    Decision applied = settler.settle(message, decision(message, "t", Outcome.launched("r-1",
        List.of(new Outcome.InstanceRef("i-1", "pending")))));
    flushAllPending();
    return applied;
  }

  private Settler settler(DeadLetterQueue dlq, int maxAttempts) {
    return new Settler(client(), queueUrl, batcher(), dlq, Optional.empty(), maxAttempts, metrics, clock);
  }

  private Decision decision(InFlightMessage m, String token, Outcome outcome) {
    return new Decision(m.messageId(), token, Optional.empty(), m.receiveCount(), Optional.empty(), m.sentAt(),
        m.receivedAt(), clock.instant(), outcome);
  }

  private DeleteBatcher batcher() {
    lastBatcher = new DeleteBatcher(client(), queueUrl, metrics);
    return lastBatcher;
  }

  private void flushAllPending() {
    if (lastBatcher != null) {
      lastBatcher.flushAll();
    }
  }

  private long attribute(QueueAttributeName name) {
    return attribute(queueUrl, name);
  }

  private long attribute(String url, QueueAttributeName name) {
    return Long.parseLong(client().getQueueAttributes(b -> b.queueUrl(url).attributeNames(name)).attributes()
        .get(name));
  }

  private SqsClient client() {
    return sqs.client();
  }

  private List<InFlightMessage> receive(int count) {
    for (int i = 0; i < count; i++) {
      int n = i;
      client().sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"n\":" + n + "}"));
    }
    return receiveOnly(count);
  }

  private List<InFlightMessage> receiveOnly(int count) {
    List<InFlightMessage> received = new ArrayList<>();
    while (received.size() < count) {
      for (Message m : client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
          .visibilityTimeout(30)).messages()) {
        received.add(new InFlightMessage(m.messageId(), m.receiptHandle(), m.body(), 1, clock.instant(),
            clock.instant(), clock.instant().plusSeconds(30), Map.of(), Optional.empty()));
      }
    }
    return received;
  }

  private InFlightMessage copyVisibleUntil(InFlightMessage m, Instant until) {
    return new InFlightMessage(m.messageId(), m.receiptHandle(), m.body(), 1, m.sentAt(), m.receivedAt(), until,
        Map.of(), Optional.empty());
  }
}
