package io.launchworker.poll;

import io.launchworker.ops.WorkerMetrics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Reads the approximate depth of the source queue and the DLQ ({@code GetQueueAttributes}) on the worker's
 * scheduler every 30 s and exposes them as gauges. A failed read keeps the last values and logs once per
 * change of state. Thread-safe.
 */
final class QueueDepths {
  private static final Logger log = LoggerFactory.getLogger(QueueDepths.class);
  private static final List<QueueAttributeName> ATTRIBUTES = List.of(
      QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
      QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
      QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);

  private final SqsClient sqs;
  private final Map<String, String> urlsByRole;
  /** NaN until the first successful read: "unknown" must not look like "empty". */
  private final Map<String, Double> values = new ConcurrentHashMap<>();
  private volatile boolean failing;

  /** @param urlsByRole e.g. {@code source → url, dlq → url} */
  QueueDepths(SqsClient sqs, Map<String, String> urlsByRole, WorkerMetrics metrics) {
    this.sqs = sqs;
    this.urlsByRole = Map.copyOf(urlsByRole);
    for (String role : this.urlsByRole.keySet()) {
      for (QueueAttributeName attribute : ATTRIBUTES) {
        String key = role + "/" + state(attribute);
        values.put(key, Double.NaN);
        metrics.queueDepthGauge(role, state(attribute), () -> values.get(key));
      }
    }
  }

  void refresh() {
    try {
      for (Map.Entry<String, String> queue : urlsByRole.entrySet()) {
        Map<QueueAttributeName, String> read = sqs.getQueueAttributes(b -> b.queueUrl(queue.getValue())
            .attributeNames(ATTRIBUTES)).attributes();
        for (QueueAttributeName attribute : ATTRIBUTES) {
          values.put(queue.getKey() + "/" + state(attribute), Double.parseDouble(read.getOrDefault(attribute, "0")));
        }
      }
      if (failing) {
        log.info("reading queue depths works again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn("cannot read queue depths (keeping the last values): {}", e.toString());
        failing = true;
      }
    }
  }

  private static String state(QueueAttributeName attribute) {
    return switch (attribute) {
      case APPROXIMATE_NUMBER_OF_MESSAGES -> "visible";
      case APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE -> "in_flight";
      default -> "delayed";
    };
  }
}
