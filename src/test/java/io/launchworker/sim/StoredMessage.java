package io.launchworker.sim;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One message as a {@link SimQueue} keeps it: what was sent, which never changes (its MessageId included), and its
 * delivery state, which every receive and visibility change moves. Guarded by the owning {@link SimSqs}'s lock.
 */
final class StoredMessage {
  final String messageId;
  final String body;
  /** As sent, unmodifiable and in send order ({@link SentMessage}). */
  final Map<String, MessageAttributeValue> attributes;
  final String senderId;
  final Instant sentAt;
  final Optional<String> messageGroupId;
  int receiveCount;
  /** Before it: delayed (never received) or in flight (received). From it on: visible. */
  Instant visibleAt;
  Instant firstReceivedAt;
  Instant lastReceivedAt;
  /** The latest receipt handle; only it deletes or changes visibility. Null before the first receive. */
  String receiptHandle;

  StoredMessage(String messageId, String body, Map<String, MessageAttributeValue> attributes, String senderId,
      Instant sentAt, Optional<String> messageGroupId, Instant visibleAt) {
    this.messageId = messageId;
    this.body = body;
    this.attributes = attributes;
    this.senderId = senderId;
    this.sentAt = sentAt;
    this.messageGroupId = messageGroupId;
    this.visibleAt = visibleAt;
  }

  QueuedMessage.State state(Instant now) {
    if (!now.isBefore(visibleAt)) {
      return QueuedMessage.State.VISIBLE;
    }
    return receiveCount == 0 ? QueuedMessage.State.DELAYED : QueuedMessage.State.IN_FLIGHT;
  }

  QueuedMessage snapshot(String queueUrl, Instant now) {
    return new QueuedMessage(queueUrl, messageId, body, attributes, senderId, sentAt, receiveCount, visibleAt,
        state(now));
  }
}
