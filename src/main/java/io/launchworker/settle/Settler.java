package io.launchworker.settle;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.ops.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Carries out a decision on the queue: delete launched messages, dead-letter then delete rejected ones, hide
 * retried ones for their back-off (or dead-letter them at the attempt limit), release unstarted ones at once.
 * When a results queue is configured, a final decision's event is sent before the message is deleted.
 * Called on handler threads; blocking; thread-safe. A message is never deleted before its outcome is durable
 * (DLQ and result sends first); if one of those fails, the message is kept for another attempt, up to
 * {@code max-attempts}: then a dead letter goes out with the minimal attributes, or, when SQS refuses even that,
 * the message is deleted with an error log, so that no message loops for ever.
 */
public final class Settler {
  private static final Logger log = LoggerFactory.getLogger(Settler.class);
  /** When the DLQ or the results queue fails, try the message again after this long rather than lose it. */
  private static final Duration SEND_FAILURE_RETRY = Duration.ofSeconds(30);

  private final SqsClient sqs;
  private final String queueUrl;
  private final DeleteBatcher deletes;
  private final DeadLetterQueue deadLetters;
  private final Optional<ResultEvents> results;
  private final int maxAttempts;
  private final WorkerMetrics metrics;
  private final Clock clock;
  private final java.util.OptionalInt maxReceiveCount;

  public Settler(SqsClient sqs, String queueUrl, DeleteBatcher deletes, DeadLetterQueue deadLetters,
      Optional<ResultEvents> results, int maxAttempts, WorkerMetrics metrics, Clock clock) {
    this(sqs, queueUrl, deletes, deadLetters, results, maxAttempts, metrics, clock, java.util.OptionalInt.empty());
  }

  /**
   * @param maxReceiveCount the source queue's redrive limit, if it has one: at that receive a message is never
   *     handed back (SQS would move it unexplained), but dead-lettered here with its reason
   */
  public Settler(SqsClient sqs, String queueUrl, DeleteBatcher deletes, DeadLetterQueue deadLetters,
      Optional<ResultEvents> results, int maxAttempts, WorkerMetrics metrics, Clock clock,
      java.util.OptionalInt maxReceiveCount) {
    this.maxReceiveCount = maxReceiveCount;
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.deletes = deletes;
    this.deadLetters = deadLetters;
    this.results = results;
    this.maxAttempts = maxAttempts;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Settles the message and returns the decision actually applied: a retry at the attempt limit becomes a
   * rejection with reason {@code max_attempts_exceeded}; a failed DLQ or result send becomes a retry.
   */
  public Decision settle(InFlightMessage message, Decision decided) {
    Outcome outcome = decided.outcome();
    if (outcome.countsAsAttempt() && message.receiveCount() >= maxAttempts) {
      outcome = Outcome.rejected("max_attempts_exceeded",
          "gave up after " + message.receiveCount() + " attempts; last failure: " + outcome.reason() + " ("
              + outcome.detail() + ")", outcome.errorCode());
    }
    if (!outcome.isFinal() && maxReceiveCount.isPresent() && message.receiveCount() >= maxReceiveCount.getAsInt()) {
      outcome = outcome.atReceiveLimit(message.receiveCount());
    }
    if (outcome.kind().deadLettered() && !stillHeld(message)) {
      // Another receive has the message (our visibility lapsed while this one was decided): what this process
      // decided is stale, and that receive decides, with what EC2 shows by then. Nothing is sent or deleted.
      metrics.outcome("released", "lost_to_another_receive", Duration.between(message.receivedAt(), clock.instant()));
      log.warn("message {} is no longer held by this receive (its visibility lapsed while it was decided); its {} "
          + "({}) is dropped, the receive that has it decides", message.messageId(), outcome.kind().tag(),
          outcome.reason());
      return decided.withOutcome(new Outcome(OutcomeKind.RELEASED, "lost_to_another_receive",
          "the message's visibility lapsed while it was decided; another receive has it", outcome.errorCode(),
          Optional.empty(), java.util.List.of(), Duration.ZERO), clock.instant());
    }
    Decision applied = decided.withOutcome(outcome, clock.instant());
    try {
      apply(message, applied);
    } catch (RuntimeException e) {
      applied = afterFailedRecord(message, applied, e);
    }
    metrics.outcome(applied.outcome().kind().tag(), applied.outcome().reason(),
        Duration.between(message.receivedAt(), applied.decidedAt()));
    return applied;
  }

  /** The DLQ, the results queue or SQS failed while the outcome was being recorded. */
  private Decision afterFailedRecord(InFlightMessage message, Decision applied, RuntimeException e) {
    if (launchedOrFound(applied) && message.receiveCount() >= maxAttempts) {
      // The launch is done and EC2 holds it; keeping the message would only let the queue's own redrive move
      // it, without its token, to a DLQ from which a redrive could launch it again. Losing the event is less bad.
      log.error("result event for message {} (token {}) could not be sent after {} attempts ({}); deleting the "
          + "message anyway, the instances are recorded in EC2", message.messageId(), applied.token(),
          message.receiveCount(), e.toString());
      metrics.resultEventLost();
      deletes.delete(message);
      return applied;
    }
    if (applied.outcome().kind().deadLettered() && message.receiveCount() >= maxAttempts) {
      Optional<Decision> ended = endDeadLetterAtLastAttempt(message, applied, e);
      if (ended.isPresent()) {
        return ended.get();
      }
    }
    log.warn("could not record the outcome of message {} ({}); keeping it for another attempt",
        message.messageId(), e.toString());
    changeVisibility(message, SEND_FAILURE_RETRY);
    return applied.withOutcome(Outcome.retry("settle_failed", e.toString(), Optional.empty(), SEND_FAILURE_RETRY),
        clock.instant());
  }

  /**
   * A dead letter that kept failing, at its last attempt: ends the message so it cannot loop. Empty when the DLQ
   * is only unreachable for now (an outage ends; a request lost to one would not come back): keep the message.
   */
  private Optional<Decision> endDeadLetterAtLastAttempt(InFlightMessage message, Decision applied,
      RuntimeException e) {
    if (!(e instanceof DeadLetterSendException)) {
      if (!(e instanceof SdkException)) {
        return Optional.empty(); // not an SQS answer: nothing says the DLQ copy exists
      }
      // The DLQ wraps its own failures, so SQS failed after it, on the result event: the DLQ copy is written, and
      // retrying would add one more per attempt.
      log.error("result event for dead-lettered message {} (token {}) could not be sent after {} attempts ({}); "
          + "deleting the message, its DLQ copy is written", message.messageId(), applied.token(),
          message.receiveCount(), e.toString());
      metrics.resultEventLost();
      deletes.deleteNow(message);
      return Optional.of(applied);
    }
    try {
      deadLetters.sendMinimal(message, applied.token(), applied.outcome());
    } catch (DeadLetterSendException minimal) {
      if (!minimal.refused()) {
        return Optional.empty();
      }
      // Never the body: it may carry userData.
      log.error("SQS refused even the minimal dead letter of message {} (token {}, reason {}, body {} bytes) after "
          + "{} attempts ({}); deleting the message so that it cannot loop", message.messageId(), applied.token(),
          applied.outcome().reason(), SqsText.utf8Length(message.body()), message.receiveCount(),
          minimal.getMessage());
      metrics.deadLetterRefused();
      deletes.deleteNow(message);
      return Optional.of(applied);
    }
    log.warn("message {} (token {}) dead-lettered with its token, reason and ID only after {} failed attempts ({})",
        message.messageId(), applied.token(), message.receiveCount(), e.getMessage());
    try {
      publish(applied);
    } catch (RuntimeException lost) {
      log.error("result event for dead-lettered message {} (token {}) lost at its last attempt ({})",
          message.messageId(), applied.token(), lost.toString());
      metrics.resultEventLost();
    }
    deletes.deleteNow(message);
    return Optional.of(applied);
  }

  private static boolean launchedOrFound(Decision d) {
    return d.outcome().kind() == OutcomeKind.LAUNCHED || d.outcome().kind() == OutcomeKind.ALREADY_LAUNCHED;
  }

  private void apply(InFlightMessage message, Decision decision) {
    Outcome outcome = decision.outcome();
    switch (outcome.kind()) {
      case LAUNCHED, ALREADY_LAUNCHED -> {
        publish(decision);
        deletes.delete(message);
      }
      case REJECTED, EXPIRED -> {
        deadLetters.send(message, decision.token(), outcome);
        publish(decision);
        deletes.deleteNow(message);
      }
      case RETRY, DEFERRED -> changeVisibility(message, outcome.retryDelay());
      case RELEASED -> changeVisibility(message, Duration.ZERO);
    }
  }

  private void publish(Decision decision) {
    results.ifPresent(r -> r.publish(decision));
  }

  /** A decision that took this long (a wait for EC2's reads, a slow call) confirms the receive still holds it. */
  private static final Duration LONG_DECISION = Duration.ofSeconds(5);
  /** Hidden this long while the dead letter is sent and the message deleted. */
  private static final Duration SETTLE_VISIBILITY = Duration.ofSeconds(30);

  /**
   * Whether this receive still holds the message before it is dead-lettered: after a long decision the keeper may
   * have failed to extend it and another receive (another process) may be launching it, and a dead letter on top of
   * that launch would tell the producer to launch again. SQS refuses a visibility change under a receipt handle that
   * is no longer the message's; any refusal counts as not held (the message comes back and is decided again).
   */
  private boolean stillHeld(InFlightMessage message) {
    if (Duration.between(message.receivedAt(), clock.instant()).compareTo(LONG_DECISION) < 0) {
      return true;
    }
    try {
      sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
          .visibilityTimeout((int) SETTLE_VISIBILITY.toSeconds()));
      return true;
    } catch (RuntimeException e) {
      log.debug("confirming message {} is still held failed: {}", message.messageId(), e.toString());
      return false;
    }
  }

  /**
   * Makes the message visible again after {@code delay}, rounded up to SQS's whole seconds (a sub-second
   * back-off must not become "at once"); failures only log (it returns after its timeout).
   */
  public void changeVisibility(InFlightMessage message, Duration delay) {
    long seconds = delay.isZero() ? 0 : Math.max(1, (delay.toMillis() + 999) / 1000);
    try {
      sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
          .visibilityTimeout((int) Math.min(seconds, 43_200)));
    } catch (RuntimeException e) {
      log.warn("could not change visibility of message {} to {}s: {}", message.messageId(), delay.toSeconds(),
          e.toString());
    }
  }
}
