package io.launchworker.settle;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One received SQS message while the worker owns it. Everything is immutable except the receipt handle and the
 * visibility deadline, which change when SQS hands the same message out again or the keeper extends it; both
 * are read and written by several threads (handler, poller, keeper) and are volatile.
 */
public final class InFlightMessage {
  private final String messageId;
  private final String body;
  private final int receiveCount;
  private final Instant sentAt;
  private final Instant receivedAt;
  private final Map<String, String> attributes;
  private final Optional<String> messageGroupId;
  private volatile String receiptHandle;
  private volatile Instant visibleAgainAt;
  private volatile boolean settling;

  public InFlightMessage(String messageId, String receiptHandle, String body, int receiveCount, Instant sentAt,
      Instant receivedAt, Instant visibleAgainAt, Map<String, String> attributes, Optional<String> messageGroupId) {
    this.messageId = Objects.requireNonNull(messageId);
    this.receiptHandle = Objects.requireNonNull(receiptHandle);
    this.body = body == null ? "" : body;
    this.receiveCount = receiveCount;
    this.sentAt = sentAt;
    this.receivedAt = receivedAt;
    this.visibleAgainAt = visibleAgainAt;
    this.attributes = Map.copyOf(attributes);
    this.messageGroupId = messageGroupId;
  }

  public String messageId() {
    return messageId;
  }

  public String receiptHandle() {
    return receiptHandle;
  }

  public String body() {
    return body;
  }

  /** SQS's ApproximateReceiveCount at this receive: 1 on first delivery. */
  public int receiveCount() {
    return receiveCount;
  }

  public Instant sentAt() {
    return sentAt;
  }

  public Instant receivedAt() {
    return receivedAt;
  }

  /** String message attributes (other types are dropped at receipt). */
  public Map<String, String> attributes() {
    return attributes;
  }

  /** For FIFO queues: the message group. */
  public Optional<String> messageGroupId() {
    return messageGroupId;
  }

  public Instant visibleAgainAt() {
    return visibleAgainAt;
  }

  /** Called when SQS delivered this message again while we hold it: only the newest handle deletes reliably. */
  public void replaceReceiptHandle(String newHandle, Instant newVisibleAgainAt) {
    this.receiptHandle = Objects.requireNonNull(newHandle);
    this.visibleAgainAt = newVisibleAgainAt;
  }

  /** The handler is about to settle it: the keeper must no longer extend it (that could undo a release). */
  public void markSettling() {
    settling = true;
  }

  boolean settling() {
    return settling;
  }

  void extendedUntil(Instant instant) {
    this.visibleAgainAt = instant;
  }

  @Override
  public String toString() {
    return "InFlightMessage{" + messageId + ", receiveCount=" + receiveCount + "}";
  }
}
