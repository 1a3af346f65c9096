package io.launchworker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Puts the benchmark's launch requests on the queue with {@code SendMessageBatch}, 10 per call (SQS's limit),
 * and notes in the {@link Timeline} when each call returned. Every request is valid and distinct (its
 * {@code requestId} is its number); each names one instance type, or lists the scenario's {@code instanceTypes}.
 * Runs on the caller's thread; not thread-safe.
 */
final class RequestSender {
  /** SQS's batch limit. */
  private static final int BATCH = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqsClient sqs;
  private final String queueUrl;
  private final Timeline timeline;
  private final List<String> instanceTypes;
  private int next;

  /** @param instanceTypes what every request lists as {@code instanceTypes}; empty: each names t3.micro */
  RequestSender(SqsClient sqs, String queueUrl, Timeline timeline, List<String> instanceTypes) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.timeline = timeline;
    this.instanceTypes = List.copyOf(instanceTypes);
  }

  /** Request number {@code number}: {@code instanceType} t3.micro, or {@code instanceTypes} when any are given. */
  static String body(int number, List<String> instanceTypes) {
    ObjectNode body = JSON.createObjectNode().put("imageId", "ami-0123456789abcdef0");
    if (instanceTypes.isEmpty()) {
      body.put("instanceType", "t3.micro");
    } else {
      instanceTypes.forEach(body.putArray("instanceTypes")::add);
    }
    body.putObject("tags").put("bench", "yes");
    return body.put("requestId", "bench-" + number).toString();
  }

  /** Sends {@code count} requests; returns their message IDs. Throws when SQS refuses an entry. */
  List<String> send(int count) {
    List<String> ids = new ArrayList<>(count);
    for (int done = 0; done < count; done += BATCH) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>(BATCH);
      for (int i = 0; i < Math.min(BATCH, count - done); i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(body(next++, instanceTypes)).build());
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
