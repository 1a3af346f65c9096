package io.launchworker.sim;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * What SQS refuses in a message it is sent, checked as SQS checks it: a body of at least one character, only the
 * characters {@code #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF} in the body and string attributes
 * ({@code InvalidMessageContents}), at most 10 message attributes each with a data type and a non-empty value, a
 * delay of 0..900 s, and at most the queue's {@code MaximumMessageSize} counting the body and every attribute's name,
 * data type and value; batches of 1..10 entries with distinct IDs. Stateless.
 */
final class SqsMessageRules {
  static final int MAX_ATTRIBUTES = 10;
  static final int MAX_DELAY_SECONDS = 900;
  static final int MAX_BATCH = 10;

  private SqsMessageRules() {}

  /** Throws the SqsException SQS would answer, or returns the message's size in bytes. */
  static int check(String body, Map<String, MessageAttributeValue> attributes, Integer delaySeconds, int maxBytes) {
    if (body == null || body.isEmpty()) {
      throw SqsErrors.invalidParameter("The request must contain the parameter MessageBody.");
    }
    if (delaySeconds != null && (delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)) {
      throw SqsErrors.invalidParameter("Value " + delaySeconds + " for parameter DelaySeconds is invalid. Reason: "
          + "DelaySeconds must be >= 0 and <= 900.");
    }
    if (attributes.size() > MAX_ATTRIBUTES) {
      throw SqsErrors.invalidParameter("Number of message attributes [" + attributes.size()
          + "] exceeds the allowed maximum [10].");
    }
    checkCharacters(body);
    int size = utf8(body);
    for (Map.Entry<String, MessageAttributeValue> a : attributes.entrySet()) {
      size += attributeSize(a.getKey(), a.getValue());
    }
    if (size > maxBytes) {
      throw SqsErrors.invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than "
          + maxBytes + " bytes.");
    }
    return size;
  }

  private static int attributeSize(String name, MessageAttributeValue value) {
    String type = value.dataType();
    if (type == null || type.isEmpty()) {
      throw SqsErrors.invalidParameter("The message attribute '" + name + "' must contain non-empty message "
          + "attribute type.");
    }
    SdkBytes binary = value.binaryValue();
    String text = value.stringValue();
    boolean empty = type.startsWith("Binary") ? binary == null || binary.asByteArray().length == 0
        : text == null || text.isEmpty();
    if (empty) {
      throw SqsErrors.invalidParameter("The message attribute '" + name + "' must contain non-empty message "
          + "attribute value for message attribute type '" + type + "'.");
    }
    if (text != null) {
      checkCharacters(text);
    }
    return utf8(name) + utf8(type) + (type.startsWith("Binary") ? binary.asByteArray().length : utf8(text));
  }

  private static void checkCharacters(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
          || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
      if (!allowed) {
        throw SqsErrors.invalidContents();
      }
      i += Character.charCount(c);
    }
  }

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A batch of 1..10 entries with distinct IDs. */
  static void checkBatch(java.util.List<String> ids) {
    if (ids.isEmpty()) {
      throw SqsErrors.emptyBatch();
    }
    if (ids.size() > MAX_BATCH) {
      throw SqsErrors.tooManyEntries(ids.size());
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String id : ids) {
      if (!seen.add(id)) {
        throw SqsErrors.idsNotDistinct(id);
      }
    }
  }

  /** A ChangeMessageVisibility's timeout, which SQS requires. */
  static int visibility(Integer seconds) {
    if (seconds == null) {
      throw SqsErrors.invalidParameter("The request must contain the parameter VisibilityTimeout.");
    }
    return seconds;
  }
}
