package io.launchworker.settle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * ElasticMQ with what it lacks: a queue's {@code MaximumMessageSize} enforced the way SQS enforces it (body plus
 * every attribute's name, type and value; over it, {@code InvalidParameterValue}, HTTP 400), and a DLQ outage
 * (HTTP 503). Records each send and each size read. Everything else goes to the real client. Thread-safe.
 */
final class SizeLimitedSqs implements SqsClient {
  private final SqsClient real;
  private final Map<String, Integer> limits = new ConcurrentHashMap<>();
  private final Map<String, Boolean> limitReadable = new ConcurrentHashMap<>();
  private final Map<String, Boolean> down = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> sizeReads = new ConcurrentHashMap<>();
  private final List<String> refusals = new ArrayList<>(); // Guarded by itself

  SizeLimitedSqs(SqsClient real) {
    this.real = real;
  }

  /** Sends to {@code queueUrl} over {@code bytes} are refused; GetQueueAttributes tells the limit if readable. */
  SizeLimitedSqs limit(String queueUrl, int bytes, boolean readable) {
    limits.put(queueUrl, bytes);
    limitReadable.put(queueUrl, readable);
    return this;
  }

  /** Every send to {@code queueUrl} fails with 503 until {@link #up}. */
  SizeLimitedSqs down(String queueUrl) {
    down.put(queueUrl, true);
    return this;
  }

  SizeLimitedSqs up(String queueUrl) {
    down.remove(queueUrl);
    return this;
  }

  int sizeReads(String queueUrl) {
    AtomicInteger reads = sizeReads.get(queueUrl);
    return reads == null ? 0 : reads.get();
  }

  /** The error message of each refused send, in order. */
  List<String> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  /** A message's size as SQS counts it. */
  static int size(SendMessageRequest request) {
    int bytes = utf8(request.messageBody());
    for (var a : request.messageAttributes().entrySet()) {
      bytes += utf8(a.getKey()) + utf8(a.getValue().dataType()) + utf8(a.getValue().stringValue());
    }
    return bytes;
  }

  @Override
  public SendMessageResponse sendMessage(SendMessageRequest request) {
    if (down.containsKey(request.queueUrl())) {
      throw error(503, "ServiceUnavailable", "Service Unavailable");
    }
    Integer limit = limits.get(request.queueUrl());
    if (limit != null && size(request) > limit) {
      String message = "One or more parameters are invalid. Reason: Message must be shorter than " + limit
          + " bytes.";
      synchronized (refusals) {
        refusals.add(message);
      }
      throw error(400, "InvalidParameterValue", message);
    }
    return real.sendMessage(request);
  }

  @Override
  public GetQueueAttributesResponse getQueueAttributes(GetQueueAttributesRequest request) {
    Integer limit = limits.get(request.queueUrl());
    if (limit == null || !request.attributeNames().contains(QueueAttributeName.MAXIMUM_MESSAGE_SIZE)) {
      return real.getQueueAttributes(request);
    }
    sizeReads.computeIfAbsent(request.queueUrl(), u -> new AtomicInteger()).incrementAndGet();
    if (!limitReadable.get(request.queueUrl())) {
      throw error(403, "AccessDenied", "not authorized to perform: sqs:getqueueattributes");
    }
    return GetQueueAttributesResponse.builder()
        .attributes(Map.of(QueueAttributeName.MAXIMUM_MESSAGE_SIZE, Integer.toString(limit))).build();
  }

  @Override
  public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
    return real.receiveMessage(request);
  }

  @Override
  public DeleteMessageResponse deleteMessage(DeleteMessageRequest request) {
    return real.deleteMessage(request);
  }

  @Override
  public DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest request) {
    return real.deleteMessageBatch(request);
  }

  @Override
  public ChangeMessageVisibilityResponse changeMessageVisibility(ChangeMessageVisibilityRequest request) {
    return real.changeMessageVisibility(request);
  }

  @Override
  public String serviceName() {
    return real.serviceName();
  }

  @Override
  public void close() {
    // the real client belongs to the test
  }

  private static SqsException error(int status, String code, String message) {
    return (SqsException) SqsException.builder().statusCode(status).message(message)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Sqs")
            .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build())
        .build();
  }

  private static int utf8(String text) {
    return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
  }
}
