package io.launchworker.message;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The messages this worker owns right now, by message ID. The poller adds, the handler removes once the
 * outcome is settled, the visibility keeper reads. Thread-safe.
 */
public final class InFlightRegistry {
  private final ConcurrentMap<String, InFlightMessage> byMessageId = new ConcurrentHashMap<>();

  /**
   * Registers a received message. If the same message is already in flight (SQS handed it out again because
   * an extension came too late), the existing entry takes the newer receipt handle and the new copy must be
   * dropped: returns the existing entry in that case.
   */
  public Optional<InFlightMessage> register(InFlightMessage message) {
    InFlightMessage existing = byMessageId.putIfAbsent(message.messageId(), message);
    if (existing == null) {
      return Optional.empty();
    }
    existing.replaceReceiptHandle(message.receiptHandle(), message.visibleAgainAt());
    return Optional.of(existing);
  }

  public void remove(InFlightMessage message) {
    byMessageId.remove(message.messageId(), message);
  }

  public Collection<InFlightMessage> snapshot() {
    return List.copyOf(byMessageId.values());
  }

  public int size() {
    return byMessageId.size();
  }
}
