package io.launchworker.settle;

import io.launchworker.message.InFlightMessage;
import io.launchworker.ops.WorkerMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;

/**
 * Deletes decided messages in {@code DeleteMessageBatch} calls of up to 10 entries. A handler that fills a
 * batch sends it itself; a scheduled {@link #flush()} sends partial batches; {@link #flushAll()} empties it on
 * shutdown. A failed delete is retried a few times and then logged, never fatal: the message comes back and
 * its token makes the next attempt "already launched". Thread-safe; SQS is never called under the lock.
 */
public final class DeleteBatcher {
  private static final Logger log = LoggerFactory.getLogger(DeleteBatcher.class);
  /** SQS's batch limit. */
  static final int MAX_BATCH = 10;
  /** Attempts per delete before giving up on it (it then simply reappears on the queue). */
  static final int MAX_ATTEMPTS = 3;
  /** Errors that no retry can fix: the handle is stale, the message is gone or was received again. */
  private static final java.util.Set<String> FINAL_ERRORS =
      java.util.Set.of("ReceiptHandleIsInvalid", "InvalidParameterValue", "MessageNotInflight");

  private final SqsClient sqs;
  private final String queueUrl;
  private final WorkerMetrics metrics;
  private final Object lock = new Object();
  // Guarded by lock.
  private final Deque<Pending> pending = new ArrayDeque<>();

  public DeleteBatcher(SqsClient sqs, String queueUrl, WorkerMetrics metrics) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.metrics = metrics;
    metrics.expectDeleteFailures(FINAL_ERRORS);
  }

  /** Queues a delete; sends a batch from the calling thread when one is full. */
  public void delete(InFlightMessage message) {
    boolean full;
    synchronized (lock) {
      pending.add(new Pending(message, 0));
      full = pending.size() >= MAX_BATCH;
    }
    if (full) {
      sendOneBatch();
    }
  }

  /**
   * Deletes one message at once, outside the batch: for dead-lettered messages, where every millisecond between
   * the DLQ send and the delete is a window in which a crash sends a second DLQ copy. Falls back to the batch
   * (with its retries) when the call fails.
   */
  public void deleteNow(InFlightMessage message) {
    try {
      sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
      metrics.deleted(1);
    } catch (RuntimeException e) {
      delete(message);
    }
  }

  /** Sends what is pending, in batches of 10 (called by the scheduler every flush interval). */
  public void flush() {
    int batches;
    synchronized (lock) {
      batches = (pending.size() + MAX_BATCH - 1) / MAX_BATCH;
    }
    for (int i = 0; i < batches; i++) {
      sendOneBatch();
    }
  }

  /** Sends everything, retrying failures up to their attempt limit (used at shutdown). */
  public void flushAll() {
    while (pendingCount() > 0) {
      sendOneBatch();
    }
  }

  /**
   * Like {@link #flushAll()}, but gives up at {@code deadlineNanos} ({@link System#nanoTime()}): what is left
   * comes back after its visibility timeout and is resolved by its token.
   */
  public void flushAll(long deadlineNanos) {
    while (pendingCount() > 0) {
      if (System.nanoTime() - deadlineNanos > 0) {
        log.warn("{} delete(s) not sent before the deadline; those messages will be redelivered and resolved by "
            + "their tokens", pendingCount());
        return;
      }
      sendOneBatch();
    }
  }

  public int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  private void sendOneBatch() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    synchronized (lock) {
      while (batch.size() < MAX_BATCH && !pending.isEmpty()) {
        batch.add(pending.poll());
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    Map<String, Pending> byEntryId = new HashMap<>();
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      String id = Integer.toString(i);
      byEntryId.put(id, batch.get(i));
      entries.add(DeleteMessageBatchRequestEntry.builder().id(id)
          .receiptHandle(batch.get(i).message().receiptHandle()).build());
    }
    try {
      DeleteMessageBatchResponse response =
          sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
      metrics.deleted(response.successful().size());
      for (BatchResultErrorEntry failed : response.failed()) {
        Pending p = byEntryId.get(failed.id());
        // An entry without a code (a proxy's answer, not SQS's) is not known to be final: retried.
        String code = failed.code() == null ? "unknown" : failed.code();
        retryOrGiveUp(p, code, failed.message(), !FINAL_ERRORS.contains(code));
      }
    } catch (RuntimeException e) {
      for (Pending p : batch) {
        retryOrGiveUp(p, e.getClass().getSimpleName(), e.getMessage(), true);
      }
    }
  }

  private void retryOrGiveUp(Pending p, String code, String message, boolean retryable) {
    metrics.deleteFailed(code);
    int attempts = p.attempts() + 1;
    if (retryable && attempts < MAX_ATTEMPTS) {
      synchronized (lock) {
        pending.add(new Pending(p.message(), attempts));
      }
      return;
    }
    log.warn("delete of message {} failed ({}: {}); it will be redelivered and resolved by its token",
        p.message().messageId(), code, message);
  }

  private record Pending(InFlightMessage message, int attempts) {}
}
