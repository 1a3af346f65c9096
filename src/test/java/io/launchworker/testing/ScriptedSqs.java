package io.launchworker.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * An in-memory SQS for unit tests: receives answer from a script, every other call is recorded as one line
 * ({@code "send <queue>"}, {@code "delete <handle>"}, {@code "visibility <handle> <seconds>"}, ...) in the order
 * made, and any operation can be made to fail. Thread-safe.
 */
public final class ScriptedSqs implements SqsClient {
  private final Deque<Supplier<ReceiveMessageResponse>> receives = new ArrayDeque<>(); // Guarded by this
  private final List<String> calls = new ArrayList<>(); // Guarded by this
  private final List<ReceiveMessageRequest> receiveRequests = new ArrayList<>(); // Guarded by this
  private final List<SendMessageRequest> sends = new ArrayList<>(); // Guarded by this
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private Runnable whenScriptEnds = () -> {};

  /** The next receive returns what {@code answer} gives (it may throw, to fail the receive). */
  public synchronized ScriptedSqs thenReceive(Supplier<ReceiveMessageResponse> answer) {
    receives.add(answer);
    return this;
  }

  /** Run once every scripted receive was answered (tests stop the poller here); later receives are empty. */
  public synchronized ScriptedSqs whenScriptEnds(Runnable action) {
    whenScriptEnds = action;
    return this;
  }

  /** The next {@code times} calls of {@code operation} ("send", "delete", "visibility", ...) fail with {@code status}. */
  public ScriptedSqs fail(String operation, int status, int times) {
    failures.put(operation, status * 1000 + times);
    return this;
  }

  public synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<ReceiveMessageRequest> receiveRequests() {
    return List.copyOf(receiveRequests);
  }

  public synchronized List<SendMessageRequest> sends() {
    return List.copyOf(sends);
  }

  private void maybeFail(String operation) {
    Integer encoded = failures.get(operation);
    if (encoded == null || encoded % 1000 == 0) {
      return;
    }
    failures.put(operation, encoded - 1);
    int status = encoded / 1000;
    throw (SqsException) SqsException.builder().statusCode(status).awsErrorDetails(AwsErrorDetails.builder()
        .errorCode(status >= 500 ? "ServiceUnavailable" : "InvalidParameterValue").errorMessage("scripted").build())
        .build();
  }

  @Override
  public ReceiveMessageResponse receiveMessage(Consumer<ReceiveMessageRequest.Builder> request) {
    Supplier<ReceiveMessageResponse> next;
    Runnable atEnd = null;
    synchronized (this) {
      receiveRequests.add(ReceiveMessageRequest.builder().applyMutation(request).build());
      next = receives.poll();
      if (next == null) {
        atEnd = whenScriptEnds;
        whenScriptEnds = () -> {};
      }
    }
    if (next == null) {
      atEnd.run();
      return ReceiveMessageResponse.builder().build();
    }
    return next.get();
  }

  @Override
  public SendMessageResponse sendMessage(SendMessageRequest request) {
    maybeFail("send");
    synchronized (this) {
      sends.add(request);
      calls.add("send " + request.queueUrl());
    }
    return SendMessageResponse.builder().messageId("sent-" + sends.size()).build();
  }

  @Override
  public DeleteMessageResponse deleteMessage(Consumer<DeleteMessageRequest.Builder> request) {
    maybeFail("delete");
    record("delete " + DeleteMessageRequest.builder().applyMutation(request).build().receiptHandle());
    return DeleteMessageResponse.builder().build();
  }

  @Override
  public DeleteMessageBatchResponse deleteMessageBatch(Consumer<DeleteMessageBatchRequest.Builder> request) {
    maybeFail("delete");
    DeleteMessageBatchRequest built = DeleteMessageBatchRequest.builder().applyMutation(request).build();
    built.entries().forEach(e -> record("delete " + e.receiptHandle()));
    return DeleteMessageBatchResponse.builder().successful(built.entries().stream()
        .map(e -> DeleteMessageBatchResultEntry.builder().id(e.id()).build()).toList()).build();
  }

  @Override
  public ChangeMessageVisibilityResponse changeMessageVisibility(
      Consumer<ChangeMessageVisibilityRequest.Builder> request) {
    maybeFail("visibility");
    ChangeMessageVisibilityRequest built = ChangeMessageVisibilityRequest.builder().applyMutation(request).build();
    record("visibility " + built.receiptHandle() + " " + built.visibilityTimeout());
    return ChangeMessageVisibilityResponse.builder().build();
  }

  @Override
  public GetQueueAttributesResponse getQueueAttributes(Consumer<GetQueueAttributesRequest.Builder> request) {
    return GetQueueAttributesResponse.builder().build();
  }

  private synchronized void record(String call) {
    calls.add(call);
  }

  @Override
  public String serviceName() {
    return "sqs";
  }

  @Override
  public void close() {}
}
