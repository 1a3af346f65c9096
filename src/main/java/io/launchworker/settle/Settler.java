package io.launchworker.settle;

import io.launchworker.ops.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Carries out an outcome on the queue: delete launched messages, dead-letter then delete rejected ones, hide
 * retried ones for their back-off (or dead-letter them at the attempt limit), release unstarted ones at once.
 * Called on handler threads; blocking; thread-safe. Never lets a message be deleted without its outcome being
 * durable first (DLQ send before delete).
 */
public final class Settler {
  private static final Logger log = LoggerFactory.getLogger(Settler.class);
  /** When the DLQ itself fails, try the message again after this long rather than lose it. */
  private static final Duration DLQ_FAILURE_RETRY = Duration.ofSeconds(30);

  private final SqsClient sqs;
  private final String queueUrl;
  private final DeleteBatcher deletes;
  private final DeadLetterQueue deadLetters;
  private final int maxAttempts;
  private final WorkerMetrics metrics;
  private final Clock clock;

  public Settler(SqsClient sqs, String queueUrl, DeleteBatcher deletes, DeadLetterQueue deadLetters,
      int maxAttempts, WorkerMetrics metrics, Clock clock) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.deletes = deletes;
    this.deadLetters = deadLetters;
    this.maxAttempts = maxAttempts;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Settles the message and returns the outcome actually applied: a retry at the attempt limit becomes a
   * rejection with reason {@code max_attempts_exceeded}.
   */
  public Outcome settle(InFlightMessage message, String token, Outcome outcome) {
    Outcome applied = outcome;
    if (outcome.kind() == OutcomeKind.RETRY && message.receiveCount() >= maxAttempts) {
      applied = Outcome.rejected("max_attempts_exceeded",
          "gave up after " + message.receiveCount() + " attempts; last failure: " + outcome.reason() + " ("
              + outcome.detail() + ")", outcome.errorCode());
    }
    switch (applied.kind()) {
      case LAUNCHED, ALREADY_LAUNCHED -> deletes.delete(message);
      case REJECTED -> {
        try {
          deadLetters.send(message, token, applied);
        } catch (RuntimeException e) {
          log.warn("could not send message {} to the DLQ ({}); keeping it for another attempt",
              message.messageId(), e.toString());
          changeVisibility(message, DLQ_FAILURE_RETRY);
          return Outcome.retry("dlq_unavailable", e.toString(), Optional.empty(), DLQ_FAILURE_RETRY);
        }
        deletes.delete(message);
      }
      case RETRY -> changeVisibility(message, applied.retryDelay());
      case RELEASED -> changeVisibility(message, Duration.ZERO);
    }
    metrics.outcome(applied.kind().tag(), applied.reason(), Duration.between(message.receivedAt(), clock.instant()));
    return applied;
  }

  /** Makes the message visible again after {@code delay}; failures only log (it returns after its timeout). */
  public void changeVisibility(InFlightMessage message, Duration delay) {
    try {
      sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
          .visibilityTimeout((int) Math.min(delay.toSeconds(), 43_200)));
    } catch (RuntimeException e) {
      log.warn("could not change visibility of message {} to {}s: {}", message.messageId(), delay.toSeconds(),
          e.toString());
    }
  }
}
