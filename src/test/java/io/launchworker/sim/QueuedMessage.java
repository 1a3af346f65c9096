package io.launchworker.sim;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * A message still in a queue, as it stood when asked: its identity and content, how often it was received, and
 * whether a receive could return it now ({@link State}). Immutable snapshot.
 */
public record QueuedMessage(String queueUrl, String messageId, String body, Map<String, MessageAttributeValue> attributes,
    String senderId, Instant sentAt, int receiveCount, Instant visibleAt, State state) {

  /** Where a message is in its life, as SQS's ApproximateNumberOfMessages* attributes count it. */
  public enum State {
    /** A receive may return it. */
    VISIBLE,
    /** Received, and its visibility timeout has not passed. */
    IN_FLIGHT,
    /** Sent with a delay that has not passed; never received yet. */
    DELAYED
  }

  public QueuedMessage {
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(messageId, "messageId");
    attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    Objects.requireNonNull(state, "state");
  }

  /** The string value of a message attribute, if the message has it. */
  public Optional<String> attribute(String name) {
    return Optional.ofNullable(attributes.get(name)).map(MessageAttributeValue::stringValue);
  }
}
