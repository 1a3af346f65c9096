package io.launchworker.settle;

import io.launchworker.ops.WorkerMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends a rejected message to the DLQ: the original body byte for byte, with the reason, the token and the
 * original message ID as attributes. Blocking; throws when SQS fails, in which case the caller must not delete
 * the source message. Thread-safe.
 */
public final class DeadLetterQueue {
  /** SQS allows 10 message attributes. */
  private static final int MAX_ATTRIBUTES = 10;
  private static final int MAX_DETAIL = 1_000;

  private final SqsClient sqs;
  private final String dlqUrl;
  private final WorkerMetrics metrics;

  public DeadLetterQueue(SqsClient sqs, String dlqUrl, WorkerMetrics metrics) {
    this.sqs = sqs;
    this.dlqUrl = dlqUrl;
    this.metrics = metrics;
  }

  public void send(InFlightMessage message, String token, Outcome outcome) {
    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
    put(attributes, MessageAttributes.TOKEN, token);
    put(attributes, MessageAttributes.REASON, outcome.reason());
    put(attributes, MessageAttributes.DETAIL, truncate(outcome.detail()));
    put(attributes, MessageAttributes.ORIGINAL_MESSAGE_ID, message.messageId());
    put(attributes, MessageAttributes.RECEIVE_COUNT, Integer.toString(message.receiveCount()));
    outcome.errorCode().ifPresent(code -> put(attributes, MessageAttributes.ERROR_CODE, code));
    // Keep the producer's own attributes as far as SQS's limit allows.
    for (Map.Entry<String, String> own : message.attributes().entrySet()) {
      if (attributes.size() < MAX_ATTRIBUTES && !attributes.containsKey(own.getKey())) {
        put(attributes, own.getKey(), own.getValue());
      }
    }
    SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(dlqUrl)
        .messageBody(message.body()).messageAttributes(attributes);
    if (dlqUrl.endsWith(".fifo")) {
      request.messageGroupId(message.messageGroupId().orElse(FifoIds.sanitize(token)))
          .messageDeduplicationId(FifoIds.sanitize(message.messageId() + ":dlq"));
    }
    sqs.sendMessage(request.build());
    metrics.dlqSent();
  }

  private static void put(Map<String, MessageAttributeValue> attributes, String name, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    attributes.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
  }

  private static String truncate(String detail) {
    return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL) + "…";
  }
}
