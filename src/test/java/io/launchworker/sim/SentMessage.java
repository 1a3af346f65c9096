package io.launchworker.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One message SQS accepted from a SendMessage (or one entry of SendMessageBatch), as sent: the record a simulation's
 * checks read to see everything that ever reached a queue (the DLQ's reasons, the results queue's events). Immutable.
 */
public record SentMessage(String queueUrl, String messageId, String body, Map<String, MessageAttributeValue> attributes,
    String senderId, Instant sentAt, Duration delay, Optional<String> messageGroupId) {

  public SentMessage {
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(body, "body");
    // Kept in the order sent: Map.copyOf's order changes from one JVM to the next, and a replayed trace must not.
    attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(sentAt, "sentAt");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(messageGroupId, "messageGroupId");
  }

  /** The string value of a message attribute, if the message has it. */
  public Optional<String> attribute(String name) {
    return Optional.ofNullable(attributes.get(name)).map(MessageAttributeValue::stringValue);
  }
}
