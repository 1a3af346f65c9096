package io.launchworker.settle;

import io.launchworker.message.InFlightMessage;
import io.launchworker.message.MessageAttributes;
import io.launchworker.message.Outcome;
import io.launchworker.ops.WorkerMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends a rejected message to the DLQ: the original body byte for byte, with the reason, the token and the
 * original message ID as attributes, all SQS-safe (see {@link SqsText}) and, with the body, within the DLQ's
 * {@code MaximumMessageSize}. Blocking; throws {@link DeadLetterSendException} when SQS fails, in which case
 * the caller must not delete the source message. Thread-safe.
 */
public final class DeadLetterQueue {
  /** SQS allows 10 message attributes. */
  private static final int MAX_ATTRIBUTES = 10;
  /** A rejection's explanation is a sentence or two; an EC2 error message rarely passes a few hundred bytes. */
  private static final int MAX_DETAIL_BYTES = 1_024;
  /** Token (64), message ID (100), reason and error code are all far shorter; this only stops a surprise. */
  private static final int MAX_VALUE_BYTES = 256;

  private final SqsClient sqs;
  private final String dlqUrl;
  private final WorkerMetrics metrics;
  private final MaxMessageSize maxMessageSize;
  private final TokenSignature signatures;

  public DeadLetterQueue(SqsClient sqs, String dlqUrl, WorkerMetrics metrics) {
    this(sqs, dlqUrl, metrics, TokenSignature.none());
  }

  /** @param signatures signs the token attribute, so a redrive of this copy resumes under its token */
  public DeadLetterQueue(SqsClient sqs, String dlqUrl, WorkerMetrics metrics, TokenSignature signatures) {
    this.sqs = sqs;
    this.dlqUrl = dlqUrl;
    this.metrics = metrics;
    this.maxMessageSize = new MaxMessageSize(sqs, dlqUrl);
    this.signatures = signatures;
  }

  public void send(InFlightMessage message, String token, Outcome outcome) {
    send(message, token, attributes(message, token, signature(message, token, outcome), outcome,
        maxMessageSize.bytes()));
  }

  /**
   * The worker's signature for the token it writes, except on a message refused for a token attribute it did not
   * sign: signing that one would launder the borrowed token, and its redrive must be refused again.
   */
  private Optional<String> signature(InFlightMessage message, String token, Outcome outcome) {
    if (!outcome.mayCarryTokenSignature()) {
      return Optional.empty();
    }
    return signatures.sign(token, message.body());
  }

  /**
   * The last resort when {@link #send} keeps failing: the body with nothing but the token, the reason and the
   * original message ID, the attributes no queue can refuse for their content.
   */
  void sendMinimal(InFlightMessage message, String token, Outcome outcome) {
    Map<String, String> minimal = new LinkedHashMap<>();
    putBounded(minimal, MessageAttributes.TOKEN, token, MAX_VALUE_BYTES);
    signature(message, token, outcome).ifPresent(sig -> minimal.put(MessageAttributes.TOKEN_SIGNATURE, sig));
    putBounded(minimal, MessageAttributes.REASON, outcome.reason(), MAX_VALUE_BYTES);
    putBounded(minimal, MessageAttributes.ORIGINAL_MESSAGE_ID, message.messageId(), MAX_VALUE_BYTES);
    send(message, token, minimal);
  }

  /**
   * The attributes of the DLQ copy, in the order written. When the body and all of them would pass
   * {@code maxMessageBytes}, the producer's attributes go first (last copied first), then the detail is
   * shortened or dropped, then the receive count and error code; token, reason and original message ID stay.
   */
  static Map<String, String> attributes(InFlightMessage message, String token, Outcome outcome,
      int maxMessageBytes) {
    return attributes(message, token, Optional.empty(), outcome, maxMessageBytes);
  }

  static Map<String, String> attributes(InFlightMessage message, String token, Optional<String> signature,
      Outcome outcome, int maxMessageBytes) {
    Map<String, String> attributes = new LinkedHashMap<>();
    putBounded(attributes, MessageAttributes.TOKEN, token, MAX_VALUE_BYTES);
    signature.ifPresent(sig -> attributes.put(MessageAttributes.TOKEN_SIGNATURE, sig));
    putBounded(attributes, MessageAttributes.REASON, outcome.reason(), MAX_VALUE_BYTES);
    putBounded(attributes, MessageAttributes.DETAIL, outcome.detail(), MAX_DETAIL_BYTES);
    putBounded(attributes, MessageAttributes.ORIGINAL_MESSAGE_ID, message.messageId(), MAX_VALUE_BYTES);
    putBounded(attributes, MessageAttributes.RECEIVE_COUNT, Integer.toString(message.receiveCount()),
        MAX_VALUE_BYTES);
    outcome.errorCode().ifPresent(code -> putBounded(attributes, MessageAttributes.ERROR_CODE, code,
        MAX_VALUE_BYTES));
    List<String> copied = new ArrayList<>();
    for (Map.Entry<String, String> own : new TreeMap<>(message.attributes()).entrySet()) {
      // launch-worker-* names are the worker's to write: a stale error code from an earlier dead-lettering, or
      // a reason a producer forged, must not pass for this rejection's.
      if (attributes.size() < MAX_ATTRIBUTES && !own.getKey().startsWith(MessageAttributes.PREFIX)) {
        attributes.put(own.getKey(), SqsText.escape(own.getValue()));
        copied.add(own.getKey());
      }
    }
    int over = SqsText.utf8Length(message.body()) + size(attributes) - maxMessageBytes;
    for (int i = copied.size() - 1; i >= 0 && over > 0; i--) {
      String name = copied.get(i);
      over -= SqsText.attributeBytes(name, attributes.remove(name));
    }
    String detail = attributes.get(MessageAttributes.DETAIL);
    if (over > 0 && detail != null) {
      String shorter = SqsText.bounded(detail, SqsText.utf8Length(detail) - over);
      over -= SqsText.attributeBytes(MessageAttributes.DETAIL, detail);
      if (shorter.isEmpty()) {
        attributes.remove(MessageAttributes.DETAIL);
      } else {
        attributes.put(MessageAttributes.DETAIL, shorter);
        over += SqsText.attributeBytes(MessageAttributes.DETAIL, shorter);
      }
    }
    for (String name : List.of(MessageAttributes.RECEIVE_COUNT, MessageAttributes.ERROR_CODE)) {
      if (over > 0 && attributes.containsKey(name)) {
        over -= SqsText.attributeBytes(name, attributes.remove(name));
      }
    }
    return attributes;
  }

  private void send(InFlightMessage message, String token, Map<String, String> attributes) {
    Map<String, MessageAttributeValue> values = new LinkedHashMap<>();
    attributes.forEach((name, value) -> values.put(name, MessageAttributeValue.builder()
        .dataType(SqsText.STRING_TYPE).stringValue(value).build()));
    SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(dlqUrl)
        .messageBody(message.body()).messageAttributes(values);
    if (dlqUrl.endsWith(".fifo")) {
      request.messageGroupId(message.messageGroupId().orElse(FifoIds.sanitize(token)))
          .messageDeduplicationId(FifoIds.sanitize(message.messageId() + ":dlq"));
    }
    try {
      sqs.sendMessage(request.build());
    } catch (RuntimeException e) {
      throw new DeadLetterSendException(e);
    }
    metrics.dlqSent();
  }

  private static void putBounded(Map<String, String> attributes, String name, String value, int maxBytes) {
    String safe = value == null ? "" : SqsText.bounded(value, maxBytes);
    if (!safe.isEmpty()) {
      attributes.put(name, safe);
    }
  }

  private static int size(Map<String, String> attributes) {
    return attributes.entrySet().stream().mapToInt(a -> SqsText.attributeBytes(a.getKey(), a.getValue())).sum();
  }
}
