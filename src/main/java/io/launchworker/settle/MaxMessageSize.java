package io.launchworker.settle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A queue's {@code MaximumMessageSize} (body plus attributes), read with one {@code GetQueueAttributes} on first
 * use and kept for the life of the process. When the read fails or the queue does not say (ElasticMQ does
 * not), {@link SqsText#DEFAULT_MAX_MESSAGE_BYTES} is kept instead: a limit set lower than that shows up as a
 * refused send, which the settler bounds. Blocking on first use; thread-safe.
 */
final class MaxMessageSize {
  private static final Logger log = LoggerFactory.getLogger(MaxMessageSize.class);

  private final SqsClient sqs;
  private final String queueUrl;
  private volatile int bytes; // 0 until read; a racing second read is harmless

  MaxMessageSize(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  int bytes() {
    int known = bytes;
    if (known == 0) {
      known = read();
      bytes = known;
    }
    return known;
  }

  private int read() {
    try {
      String value = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
          .attributeNames(QueueAttributeName.MAXIMUM_MESSAGE_SIZE)).attributes()
          .get(QueueAttributeName.MAXIMUM_MESSAGE_SIZE);
      if (value != null && value.matches("[1-9][0-9]{0,8}")) {
        return Integer.parseInt(value);
      }
      log.info("queue {} did not state its MaximumMessageSize; assuming {} bytes", queueUrl,
          SqsText.DEFAULT_MAX_MESSAGE_BYTES);
    } catch (RuntimeException e) {
      log.warn("could not read the MaximumMessageSize of queue {} ({}); assuming {} bytes", queueUrl, e.toString(),
          SqsText.DEFAULT_MAX_MESSAGE_BYTES);
    }
    return SqsText.DEFAULT_MAX_MESSAGE_BYTES;
  }
}
