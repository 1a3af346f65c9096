package io.launchworker.settle;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.MessageAttributes;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.WithEmbeddedSqs;
import io.launchworker.testing.LogCapture;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A dead letter that keeps failing is bounded by {@code max-attempts} like a launch: at the last attempt the
 * worker sends the minimal record, deletes the message when SQS refuses even that, and keeps it only while the
 * DLQ is merely unreachable. The DLQ's size limit is enforced by {@link SizeLimitedSqs} (ElasticMQ does not).
 */
class DeadLetterAtLastAttemptTest extends WithEmbeddedSqs {
  private static final int DLQ_LIMIT = 2_048;
  private static final Outcome INVALID = Outcome.rejected("invalid_value",
      "instanceType: string \"" + "x".repeat(1_000) + "\" is not an instance type", Optional.empty());
  private static int queues;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final WorkerMetrics metrics = new WorkerMetrics(registry);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final LogCapture logs = new LogCapture();
  private SizeLimitedSqs limited;
  private String queueUrl;
  private String dlq;



  @BeforeEach
  void newQueues() {
    queueUrl = sqs.createQueue("last-" + (++queues), Duration.ofSeconds(30));
    dlq = sqs.createQueue("last-dlq-" + queues, Duration.ofSeconds(30));
    // SQS would refuse the full record of a 1,500-byte body; the worker cannot read the limit to cut it.
    limited = new SizeLimitedSqs(sqs.client()).limit(dlq, DLQ_LIMIT, false);
  }

  @AfterEach
  void stopCapture() {
    logs.close();
  }

  @Test
  void aDeadLetterSqsKeepsRefusingGoesOutWithTokenReasonAndIdAloneAtTheLastAttempt() {
    InFlightMessage message = receive("b".repeat(1_500), 3);

    Decision applied = settler(3).settle(message, decision(message, INVALID));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    List<Message> dead = drain(dlq);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).body()).isEqualTo(message.body());
    assertThat(dead.get(0).messageAttributes()).containsOnlyKeys(MessageAttributes.TOKEN,
        MessageAttributes.REASON, MessageAttributes.ORIGINAL_MESSAGE_ID);
    assertThat(dead.get(0).messageAttributes().get(MessageAttributes.REASON).stringValue())
        .isEqualTo("invalid_value");
    assertThat(sqs.depth(queueUrl)).isZero();
    assertThat(registry.counter(WorkerMetrics.DEAD_LETTER_REFUSED).count()).isZero();
  }

  @Test
  void beforeTheLastAttemptARefusedDeadLetterKeepsTheMessage() {
    InFlightMessage message = receive("b".repeat(1_500), 2);

    Decision applied = settler(3).settle(message, decision(message, INVALID));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(applied.outcome().reason()).isEqualTo("settle_failed");
    assertThat(sqs.depth(queueUrl)).isEqualTo(1);
    assertThat(sqs.depth(dlq)).isZero();
  }

  @Test
  void whenSqsRefusesEvenTheMinimalDeadLetterTheMessageIsDeletedLoggedAndCounted() {
    String body = "{\"userData\":\"" + "c2VjcmV0".repeat(375) + "\"}"; // over the DLQ's limit
    InFlightMessage message = receive(body, 3);

    Decision applied = settler(3).settle(message, decision(message, INVALID));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(sqs.depth(queueUrl)).isZero();
    assertThat(sqs.depth(dlq)).isZero();
    assertThat(registry.counter(WorkerMetrics.DEAD_LETTER_REFUSED).count()).isEqualTo(1);
    assertThat(logs.text().lines().filter(l -> l.startsWith("ERROR") && l.contains(message.messageId())
        && l.contains("tok-1") && l.contains("invalid_value") && l.contains(body.length() + " bytes"))).hasSize(1);
    assertThat(logs.text()).doesNotContain("c2VjcmV0");
  }

  @Test
  void aDlqOutageAtTheLastAttemptKeepsTheMessage() {
    limited.down(dlq);
    InFlightMessage message = receive("{}", 3);

    Decision applied = settler(3).settle(message, decision(message, INVALID));

    assertThat(applied.outcome().reason()).isEqualTo("settle_failed");
    assertThat(sqs.depth(queueUrl)).isEqualTo(1);
    assertThat(registry.counter(WorkerMetrics.DEAD_LETTER_REFUSED).count()).isZero();
  }

  @Test
  void aMissingDlqAtTheLastAttemptKeepsTheMessage() {
    InFlightMessage message = receive("{}", 3);
    Settler settler = new Settler(sqs.client(), queueUrl, new DeleteBatcher(sqs.client(), queueUrl, metrics),
        new DeadLetterQueue(sqs.client(), dlq + "-does-not-exist", metrics), Optional.empty(), 3, metrics, clock);

    Decision applied = settler.settle(message, decision(message, INVALID));

    assertThat(applied.outcome().reason()).isEqualTo("settle_failed");
    assertThat(sqs.depth(queueUrl)).isEqualTo(1);
  }

  /** Regression: each retry after a failed result event sent one more DLQ copy, for ever. */
  @Test
  void aDeadLetterWhoseResultEventKeepsFailingIsDeletedAtTheLastAttemptWithOneDlqCopy() {
    InFlightMessage message = receive("{}", 3);
    Settler settler = new Settler(sqs.client(), queueUrl, new DeleteBatcher(sqs.client(), queueUrl, metrics),
        new DeadLetterQueue(sqs.client(), dlq, metrics),
        Optional.of(new ResultEvents(sqs.client(), queueUrl + "-results-missing")), 3, metrics, clock);

    Decision applied = settler.settle(message, decision(message, INVALID));

    assertThat(applied.outcome().kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(sqs.depth(queueUrl)).isZero();
    assertThat(sqs.depth(dlq)).isEqualTo(1);
    assertThat(registry.counter(WorkerMetrics.RESULT_EVENTS_LOST).count()).isEqualTo(1);
  }

  private Settler settler(int maxAttempts) {
    return new Settler(limited, queueUrl, new DeleteBatcher(limited, queueUrl, metrics),
        new DeadLetterQueue(limited, dlq, metrics), Optional.empty(), maxAttempts, metrics, clock);
  }

  private Decision decision(InFlightMessage m, Outcome outcome) {
    return new Decision(m.messageId(), "tok-1", Optional.empty(), m.receiveCount(), Optional.empty(), m.sentAt(),
        m.receivedAt(), clock.instant(), outcome);
  }

  /** Sends and receives one message, presented to the settler as its {@code receiveCount}th delivery. */
  private InFlightMessage receive(String body, int receiveCount) {
    SqsClient client = sqs.client();
    client.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
    Message m = client.receiveMessage(b -> b.queueUrl(queueUrl).visibilityTimeout(30)).messages().get(0);
    return new InFlightMessage(m.messageId(), m.receiptHandle(), m.body(), receiveCount, clock.instant(),
        clock.instant(), clock.instant().plusSeconds(30), Map.of(), Optional.empty());
  }

  private List<Message> drain(String url) {
    return sqs.client().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).messageAttributeNames("All"))
        .messages();
  }
}
