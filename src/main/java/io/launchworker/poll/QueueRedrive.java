package io.launchworker.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The source queue's own redrive policy, read once at start: SQS moves a message to its DLQ, with no reason and no
 * signed token, on the receive after {@code maxReceiveCount}. The worker dead-letters a message itself at that last
 * receive rather than hand it back. Thread-safe (static, no state).
 */
final class QueueRedrive {
  private static final Logger log = LoggerFactory.getLogger(QueueRedrive.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private QueueRedrive() {}

  /** The queue's {@code maxReceiveCount}; empty without a redrive policy or when SQS cannot say. */
  static OptionalInt maxReceiveCount(SqsClient sqs, String queueUrl) {
    String policy;
    try {
      policy = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
          .attributes().get(QueueAttributeName.REDRIVE_POLICY);
    } catch (RuntimeException e) {
      log.warn("could not read the redrive policy of {} ({}); messages at its maxReceiveCount, if it has one, are "
          + "left to SQS", queueUrl, e.toString());
      return OptionalInt.empty();
    }
    return parse(policy);
  }

  /** {@code maxReceiveCount} of a RedrivePolicy attribute; SQS writes it as a number or a string. */
  static OptionalInt parse(String policy) {
    if (policy == null || policy.isBlank()) {
      return OptionalInt.empty();
    }
    try {
      JsonNode count = JSON.readTree(policy).get("maxReceiveCount");
      if (count == null) {
        return OptionalInt.empty();
      }
      int value = count.isNumber() ? count.intValue() : Integer.parseInt(count.asText().trim());
      return value > 0 ? OptionalInt.of(value) : OptionalInt.empty();
    } catch (Exception e) {
      log.warn("the source queue's RedrivePolicy is not understood ({}): {}", e.toString(), policy);
      return OptionalInt.empty();
    }
  }

  /** A warning when the queue's own redrive leaves the worker no attempt to spare; empty when there is room. */
  static java.util.Optional<String> tooTight(OptionalInt maxReceiveCount, int maxAttempts) {
    if (maxReceiveCount.isEmpty() || maxReceiveCount.getAsInt() > maxAttempts) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("the source queue's redrive policy has maxReceiveCount " + maxReceiveCount.getAsInt()
        + ", not above launcher.max-attempts " + maxAttempts + ": receives that use no attempt (an account pause, the "
        + "hourly cap, the consistency window, a shutdown) leave no room, and messages reach the receive limit before "
        + "their attempts end; the worker dead-letters them itself at the last receive (receive_limit_reached). Set "
        + "maxReceiveCount well above max-attempts (e.g. " + (maxAttempts * 2 + 5) + ")");
  }
}
