package io.launchworker.bench;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Puts the benchmark's launch requests on the queue with {@code SendMessageBatch}, 10 per call (SQS's limit),
 * and notes in the {@link Timeline} when each call returned. Every request is valid and distinct (its
 * {@code requestId} is its number). Runs on the caller's thread; not thread-safe.
 */
final class RequestSender {
  /** SQS's batch limit. */
  private static final int BATCH = 10;

  private final SqsClient sqs;
  private final String queueUrl;
  private final Timeline timeline;
  private int next;

  RequestSender(SqsClient sqs, String queueUrl, Timeline timeline) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.timeline = timeline;
  }

  static String body(int number) {
    return "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"tags\":{\"bench\":\"yes\"},"
        + "\"requestId\":\"bench-" + number + "\"}";
  }

  /** Sends {@code count} requests; returns their message IDs. Throws when SQS refuses an entry. */
  List<String> send(int count) {
    List<String> ids = new ArrayList<>(count);
    for (int done = 0; done < count; done += BATCH) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>(BATCH);
      for (int i = 0; i < Math.min(BATCH, count - done); i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(body(next++)).build());
      }
      SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
      long returned = System.nanoTime();
      if (!response.failed().isEmpty()) {
        throw new IllegalStateException("SendMessageBatch refused entries: " + response.failed());
      }
      response.successful().forEach(ok -> {
        timeline.sent(ok.messageId(), returned);
        ids.add(ok.messageId());
      });
    }
    return ids;
  }
}
