package io.launchworker.message;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One received SQS message while the worker owns it. Everything is immutable except the receipt handle and the
 * visibility deadline, which change when SQS hands the same message out again or the keeper extends it; both
 * are read and written by several threads (handler, poller, keeper) and are volatile.
 *
 * <p>Visibility changes are mutually exclusive between the keeper and the handler: the keeper extends only after
 * {@link #tryBeginExtension()} and ends with {@link #endExtension}; the handler calls {@link #markSettling()}
 * before its own change (delete, back-off, release), which forbids new extensions and waits for one in flight to
 * land. So a release to 0 s or a 10-minute back-off is never overwritten by the keeper's full timeout.
 */
public final class InFlightMessage {
  private final String messageId;
  private final String body;
  private final int receiveCount;
  private final Instant sentAt;
  private final Instant receivedAt;
  private final Map<String, String> attributes;
  private final Optional<String> messageGroupId;
  private final Optional<String> senderId;
  private volatile String receiptHandle;
  private volatile Instant visibleAgainAt;
  /** The longest a handler waits for the keeper's extension in flight; the keeper's calls time out sooner. */
  private static final long EXTENSION_WAIT_MILLIS = 30_000;
  private final Object visibilityLock = new Object();
  // Guarded by visibilityLock.
  private boolean settling;
  private boolean extending;

  /** A message without a SenderId, as a queue that does not set it would deliver. */
  public InFlightMessage(String messageId, String receiptHandle, String body, int receiveCount, Instant sentAt,
      Instant receivedAt, Instant visibleAgainAt, Map<String, String> attributes, Optional<String> messageGroupId) {
    this(messageId, receiptHandle, body, receiveCount, sentAt, receivedAt, visibleAgainAt, attributes, messageGroupId,
        Optional.empty());
  }

  /** @param senderId SQS's {@code SenderId} system attribute: who sent it (an IAM user or role session, an account) */
  public InFlightMessage(String messageId, String receiptHandle, String body, int receiveCount, Instant sentAt,
      Instant receivedAt, Instant visibleAgainAt, Map<String, String> attributes, Optional<String> messageGroupId,
      Optional<String> senderId) {
    this.messageId = Objects.requireNonNull(messageId);
    this.receiptHandle = Objects.requireNonNull(receiptHandle);
    this.body = body == null ? "" : body;
    this.receiveCount = receiveCount;
    this.sentAt = sentAt;
    this.receivedAt = receivedAt;
    this.visibleAgainAt = visibleAgainAt;
    this.attributes = Map.copyOf(attributes);
    this.messageGroupId = messageGroupId;
    this.senderId = Objects.requireNonNull(senderId);
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

  /**
   * SQS's {@code SenderId}: set by SQS from the sender's credentials, so a producer cannot choose it. Scopes the
   * producer's {@code clientToken}. Empty only where a queue does not set it.
   */
  public Optional<String> senderId() {
    return senderId;
  }

  public Instant visibleAgainAt() {
    return visibleAgainAt;
  }

  /** Called when SQS delivered this message again while we hold it: only the newest handle deletes reliably. */
  public void replaceReceiptHandle(String newHandle, Instant newVisibleAgainAt) {
    this.receiptHandle = Objects.requireNonNull(newHandle);
    this.visibleAgainAt = newVisibleAgainAt;
  }

  /**
   * The handler is about to settle it: from now on only the handler changes its visibility. Blocks while the
   * keeper's extension of it is in flight (bounded: the keeper's calls time out sooner), so the handler's change
   * lands last. Never calls out.
   */
  public void markSettling() {
    synchronized (visibilityLock) {
      settling = true;
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(EXTENSION_WAIT_MILLIS);
      boolean interrupted = false;
      while (extending) {
        long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        try {
          visibilityLock.wait(left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether the handler has begun settling it (the keeper then leaves it alone). */
  public boolean settling() {
    synchronized (visibilityLock) {
      return settling;
    }
  }

  /** The keeper claims the next visibility change; false once the handler is settling the message. */
  public boolean tryBeginExtension() {
    synchronized (visibilityLock) {
      if (settling) {
        return false;
      }
      extending = true;
      return true;
    }
  }

  /** The keeper's extension has landed ({@code until} is set) or failed (null); a waiting handler may go on. */
  public void endExtension(Instant until) {
    synchronized (visibilityLock) {
      if (until != null) {
        visibleAgainAt = until;
      }
      extending = false;
      visibilityLock.notifyAll();
    }
  }

  @Override
  public String toString() {
    return "InFlightMessage{" + messageId + ", receiveCount=" + receiveCount + "}";
  }
}
