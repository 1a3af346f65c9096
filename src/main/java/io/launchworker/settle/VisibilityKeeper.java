package io.launchworker.settle;

import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.ops.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

/**
 * Keeps in-flight messages invisible until their outcome is decided, so a launch slower than the visibility
 * timeout never lets a second worker start the same request. Each {@link #tick()} extends, by the full
 * visibility timeout, every message with less than the configured share of it left. Run by the worker's
 * scheduler thread every {@link #tickInterval()}; tests call {@code tick()} with a fake clock.
 */
public final class VisibilityKeeper {
  private static final Logger log = LoggerFactory.getLogger(VisibilityKeeper.class);

  private final SqsClient sqs;
  private final String queueUrl;
  private final InFlightRegistry registry;
  private final Duration visibility;
  private final Duration extendWhenRemaining;
  private final Clock clock;
  private final WorkerMetrics metrics;

  public VisibilityKeeper(SqsClient sqs, String queueUrl, InFlightRegistry registry, Duration visibility,
      double extendWhenRemaining, Clock clock, WorkerMetrics metrics) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.registry = registry;
    this.visibility = visibility;
    this.extendWhenRemaining = Duration.ofMillis((long) (visibility.toMillis() * extendWhenRemaining));
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Half the extension margin: every message is looked at at least twice before it could expire. */
  public Duration tickInterval() {
    return Duration.ofMillis(Math.max(50, extendWhenRemaining.toMillis() / 2));
  }

  /**
   * The longest one extension call may take: a sixth of the margin. A tick comes every half margin, so a
   * message is found with at least half the margin left, and its extension lands (or fails and is logged) before
   * it could become visible, however slow SQS answers (with a factor of three to spare for scheduling).
   * Between 1 s (SQS's own latency) and 10 s (a handler waiting to settle waits at most this long for it).
   */
  public Duration callTimeout() {
    return Duration.ofMillis(Math.min(10_000, Math.max(1_000, extendWhenRemaining.toMillis() / 6)));
  }

  public void tick() {
    Instant now = clock.instant();
    List<InFlightMessage> due = new ArrayList<>();
    for (InFlightMessage m : registry.snapshot()) {
      if (!m.settling() && Duration.between(now, m.visibleAgainAt()).compareTo(extendWhenRemaining) < 0) {
        due.add(m);
      }
    }
    for (int from = 0; from < due.size(); from += DeleteBatcher.MAX_BATCH) {
      List<InFlightMessage> claimed = new ArrayList<>();
      for (InFlightMessage m : due.subList(from, Math.min(due.size(), from + DeleteBatcher.MAX_BATCH))) {
        if (m.tryBeginExtension()) {
          claimed.add(m);
        }
      }
      if (!claimed.isEmpty()) {
        extend(claimed, now);
      }
    }
  }

  /** Extends a batch of claimed messages; every claim is ended whatever happens, so no handler waits in vain. */
  private void extend(List<InFlightMessage> batch, Instant now) {
    Map<InFlightMessage, Instant> landed = new java.util.IdentityHashMap<>();
    try {
      landed = send(batch, now);
    } finally {
      for (InFlightMessage m : batch) {
        m.endExtension(landed.get(m));
      }
    }
  }

  private Map<InFlightMessage, Instant> send(List<InFlightMessage> batch, Instant now) {
    Map<InFlightMessage, Instant> landed = new java.util.IdentityHashMap<>();
    Map<String, InFlightMessage> byId = new HashMap<>();
    List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      InFlightMessage m = batch.get(i);
      byId.put(Integer.toString(i), m);
      entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
          .receiptHandle(m.receiptHandle()).visibilityTimeout((int) visibility.toSeconds()).build());
    }
    try {
      ChangeMessageVisibilityBatchResponse response =
          sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries)
              .overrideConfiguration(o -> o.apiCallTimeout(callTimeout())));
      Instant until = now.plus(visibility);
      response.successful().forEach(ok -> landed.put(byId.get(ok.id()), until));
      metrics.visibilityExtended(response.successful().size());
      response.failed().forEach(f -> log.warn("could not extend visibility of message {}: {} {}",
          byId.get(f.id()).messageId(), f.code(), f.message()));
    } catch (RuntimeException e) {
      log.warn("could not extend visibility of {} messages: {}", batch.size(), e.toString());
    }
    return landed;
  }
}
