package io.launchworker.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A simulated SQS behind the SDK's own {@link SqsClient} interface, for a deterministic simulation: several standard
 * queues by URL ({@link SimQueue} holds their semantics), time from the injected clock and every choice (message IDs,
 * which visible messages a receive returns, faults) from the injected random, so one seed replays a run exactly.
 * Answers the operations the worker calls; every other throws {@code UnsupportedOperationException}, the interface's
 * default. Receives never wait: {@code WaitTimeSeconds} is read and ignored, and what is visible now is returned,
 * possibly nothing. Errors are the SDK's exceptions with SQS's codes ({@link SqsErrors}); faults come from
 * {@link #faults()}.
 *
 * <p>A stale receipt handle fails with {@code ReceiptHandleIsInvalid}, as ElasticMQ answers (PLATFORM.md);
 * {@link #staleDeletesSucceed(boolean)} switches DeleteMessage to AWS's documented answer instead.
 *
 * <p>Thread-safe by one lock (this object); meant to be driven by one simulation thread. Never blocks, never sleeps.
 */
public final class SimSqs implements SqsClient {
  /** The account the simulated queues live in; also the default SenderId of every send. */
  public static final String ACCOUNT_ID = "123456789012";
  static final String REGION = "us-east-1";
  private static final int MAX_RECEIVE = 10;

  private final Clock clock;
  private final RandomGenerator random;
  private final SqsFaults faults;
  // Guarded by this.
  private final Map<String, SimQueue> queuesByUrl = new LinkedHashMap<>();
  private final List<RedriveMove> moves = new ArrayList<>();
  private final Map<SqsOperation, Integer> calls = new EnumMap<>(SqsOperation.class);
  private long handles;
  private boolean staleDeletesSucceed;
  private String defaultSenderId = ACCOUNT_ID;

  public SimSqs(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
    this.faults = new SqsFaults(random);
  }

  /** Creates a standard queue with SQS's defaults and returns it, to configure and inspect. */
  public synchronized SimQueue addQueue(String name) {
    if (name.endsWith(".fifo") || !name.matches("[A-Za-z0-9_-]{1,80}")) {
      throw new IllegalArgumentException("a standard queue name of 1..80 [A-Za-z0-9_-] is modelled, got " + name);
    }
    String url = "https://sqs." + REGION + ".amazonaws.com/" + ACCOUNT_ID + "/" + name;
    SimQueue queue = new SimQueue(this, clock, name, url, "arn:aws:sqs:" + REGION + ":" + ACCOUNT_ID + ":" + name);
    if (queuesByUrl.putIfAbsent(url, queue) != null) {
      throw new IllegalArgumentException("queue " + name + " exists");
    }
    return queue;
  }

  /** The queue at this URL. */
  public synchronized SimQueue queue(String url) {
    SimQueue queue = queuesByUrl.get(url);
    if (queue == null) {
      throw SqsErrors.noSuchQueue(url);
    }
    return queue;
  }

  public SqsFaults faults() {
    return faults;
  }

  /** AWS: a delete with a handle that is no longer the latest "succeeds, but the message will not be deleted". */
  public synchronized SimSqs staleDeletesSucceed(boolean value) {
    staleDeletesSucceed = value;
    return this;
  }

  /** The SenderId of sends that name none (SendMessage through the SqsClient interface). */
  public synchronized SimSqs defaultSenderId(String senderId) {
    defaultSenderId = senderId;
    return this;
  }

  /** Every move SQS made by itself through a RedrivePolicy, in order. */
  public synchronized List<RedriveMove> redriveMoves() {
    return List.copyOf(moves);
  }

  /** How many calls of each operation were made, failed ones included. */
  public synchronized Map<SqsOperation, Integer> calls() {
    return Collections.unmodifiableMap(new EnumMap<>(calls));
  }

  public synchronized int calls(SqsOperation operation) {
    return calls.getOrDefault(operation, 0);
  }

  @Override
  public synchronized ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
    begin(SqsOperation.RECEIVE_MESSAGE);
    SimQueue queue = queue(request.queueUrl());
    int max = request.maxNumberOfMessages() == null ? 1 : request.maxNumberOfMessages();
    if (max < 1 || max > MAX_RECEIVE) {
      throw SqsErrors.invalidParameter("Value " + max + " for parameter MaxNumberOfMessages is invalid. Reason: "
          + "Must be between 1 and 10, if provided.");
    }
    Duration visibility = request.visibilityTimeout() == null ? queue.defaultVisibility()
        : Duration.ofSeconds(request.visibilityTimeout());
    if (visibility.isNegative() || visibility.compareTo(SimQueue.MAX_VISIBILITY) > 0) {
      throw SqsErrors.invalidParameter("Value " + request.visibilityTimeout()
          + " for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.");
    }
    List<StoredMessage> received = faults.answersEmpty() ? List.of()
        : queue.receive(max, visibility, random, () -> "rh-" + ++handles,
            moves);
    Set<String> system = new HashSet<>(request.messageSystemAttributeNamesAsStrings());
    system.addAll(request.attributeNamesAsStrings());
    ReceiveMessageResponse response = ReceiveMessageResponse.builder().messages(received.stream()
        .map(m -> ReceivedMessages.toMessage(m, system, request.messageAttributeNames())).toList()).build();
    return answer(SqsOperation.RECEIVE_MESSAGE, response);
  }

  @Override
  public synchronized SendMessageResponse sendMessage(SendMessageRequest request) {
    return sendMessage(request, defaultSenderId);
  }

  /** SendMessage as sent by {@code senderId} (a producer's account or role), which receives see as SenderId. */
  public synchronized SendMessageResponse sendMessage(SendMessageRequest request, String senderId) {
    begin(SqsOperation.SEND_MESSAGE);
    SentMessage sent = send(queue(request.queueUrl()), request.messageBody(), request.messageAttributes(),
        request.delaySeconds(), request.messageGroupId(), senderId);
    return answer(SqsOperation.SEND_MESSAGE, SendMessageResponse.builder().messageId(sent.messageId()).build());
  }

  @Override
  public synchronized SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
    begin(SqsOperation.SEND_MESSAGE_BATCH);
    SimQueue queue = queue(request.queueUrl());
    SqsMessageRules.checkBatch(request.entries().stream().map(SendMessageBatchRequestEntry::id).toList());
    SendMessageBatchResponse.Builder response = SendMessageBatchResponse.builder();
    List<SendMessageBatchResultEntry> ok = new ArrayList<>();
    List<BatchResultErrorEntry> failed = new ArrayList<>();
    for (SendMessageBatchRequestEntry e : request.entries()) {
      perEntry(e.id(), failed, () -> ok.add(SendMessageBatchResultEntry.builder().id(e.id()).messageId(send(queue,
          e.messageBody(), e.messageAttributes(), e.delaySeconds(), e.messageGroupId(), defaultSenderId).messageId())
          .build()));
    }
    return answer(SqsOperation.SEND_MESSAGE_BATCH, response.successful(ok).failed(failed).build());
  }

  @Override
  public synchronized DeleteMessageResponse deleteMessage(DeleteMessageRequest request) {
    begin(SqsOperation.DELETE_MESSAGE);
    queue(request.queueUrl()).delete(request.receiptHandle(), staleDeletesSucceed);
    return answer(SqsOperation.DELETE_MESSAGE, DeleteMessageResponse.builder().build());
  }

  @Override
  public synchronized DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest request) {
    begin(SqsOperation.DELETE_MESSAGE_BATCH);
    SimQueue queue = queue(request.queueUrl());
    SqsMessageRules.checkBatch(request.entries().stream().map(e -> e.id()).toList());
    List<DeleteMessageBatchResultEntry> ok = new ArrayList<>();
    List<BatchResultErrorEntry> failed = new ArrayList<>();
    request.entries().forEach(e -> perEntry(e.id(), failed, () -> {
      queue.delete(e.receiptHandle(), staleDeletesSucceed);
      ok.add(DeleteMessageBatchResultEntry.builder().id(e.id()).build());
    }));
    return answer(SqsOperation.DELETE_MESSAGE_BATCH,
        DeleteMessageBatchResponse.builder().successful(ok).failed(failed).build());
  }

  @Override
  public synchronized ChangeMessageVisibilityResponse changeMessageVisibility(ChangeMessageVisibilityRequest request) {
    begin(SqsOperation.CHANGE_MESSAGE_VISIBILITY);
    queue(request.queueUrl()).changeVisibility(request.receiptHandle(),
        SqsMessageRules.visibility(request.visibilityTimeout()));
    return answer(SqsOperation.CHANGE_MESSAGE_VISIBILITY, ChangeMessageVisibilityResponse.builder().build());
  }

  @Override
  public synchronized ChangeMessageVisibilityBatchResponse changeMessageVisibilityBatch(
      ChangeMessageVisibilityBatchRequest request) {
    begin(SqsOperation.CHANGE_MESSAGE_VISIBILITY_BATCH);
    SimQueue queue = queue(request.queueUrl());
    SqsMessageRules.checkBatch(request.entries().stream().map(e -> e.id()).toList());
    List<ChangeMessageVisibilityBatchResultEntry> ok = new ArrayList<>();
    List<BatchResultErrorEntry> failed = new ArrayList<>();
    request.entries().forEach(e -> perEntry(e.id(), failed, () -> {
      queue.changeVisibility(e.receiptHandle(), SqsMessageRules.visibility(e.visibilityTimeout()));
      ok.add(ChangeMessageVisibilityBatchResultEntry.builder().id(e.id()).build());
    }));
    return answer(SqsOperation.CHANGE_MESSAGE_VISIBILITY_BATCH,
        ChangeMessageVisibilityBatchResponse.builder().successful(ok).failed(failed).build());
  }

  @Override
  public synchronized GetQueueAttributesResponse getQueueAttributes(GetQueueAttributesRequest request) {
    begin(SqsOperation.GET_QUEUE_ATTRIBUTES);
    Map<QueueAttributeName, String> all = queue(request.queueUrl()).attributes();
    boolean everything = request.attributeNames().contains(QueueAttributeName.ALL);
    Map<QueueAttributeName, String> asked = new EnumMap<>(QueueAttributeName.class);
    all.forEach((name, value) -> {
      if (everything || request.attributeNames().contains(name)) {
        asked.put(name, value);
      }
    });
    return answer(SqsOperation.GET_QUEUE_ATTRIBUTES, GetQueueAttributesResponse.builder().attributes(asked).build());
  }

  @Override
  public synchronized GetQueueUrlResponse getQueueUrl(GetQueueUrlRequest request) {
    begin(SqsOperation.GET_QUEUE_URL);
    Optional<SimQueue> queue = queuesByUrl.values().stream().filter(q -> q.name().equals(request.queueName()))
        .findFirst();
    String url = queue.orElseThrow(() -> SqsErrors.noSuchQueue(request.queueName())).url();
    return answer(SqsOperation.GET_QUEUE_URL, GetQueueUrlResponse.builder().queueUrl(url).build());
  }

  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  @Override
  public void close() {}

  private void begin(SqsOperation operation) {
    calls.merge(operation, 1, Integer::sum);
    if (faults.failsBefore(operation)) {
      throw SqsErrors.internalError();
    }
  }

  private <T> T answer(SqsOperation operation, T response) {
    if (faults.losesAnswer(operation)) {
      throw SqsErrors.lostAnswer();
    }
    return response;
  }

  private SentMessage send(SimQueue queue, String body, Map<String, MessageAttributeValue> attributes,
      Integer delaySeconds, String groupId, String senderId) {
    SqsMessageRules.check(body, attributes, delaySeconds, queue.maximumMessageSize());
    Duration delay = delaySeconds == null ? queue.defaultDelay() : Duration.ofSeconds(delaySeconds);
    // A message ID is a random UUID, drawn from the seeded random so that a replay has the same IDs.
    SentMessage sent = new SentMessage(queue.url(), new UUID(random.nextLong(), random.nextLong()).toString(), body,
        attributes, senderId, clock.instant(), delay, Optional.ofNullable(groupId));
    queue.accept(sent);
    return sent;
  }

  /** One entry of a batch: an injected failure, SQS's error for that entry alone, or done. */
  private void perEntry(String id, List<BatchResultErrorEntry> failed, Runnable entry) {
    if (faults.failsEntry()) {
      failed.add(BatchResultErrorEntry.builder().id(id).code(SqsErrors.INTERNAL_ERROR).senderFault(false)
          .message("We encountered an internal error. Please try again.").build());
      return;
    }
    try {
      entry.run();
    } catch (SqsException e) {
      failed.add(BatchResultErrorEntry.builder().id(id).code(e.awsErrorDetails().errorCode()).senderFault(true)
          .message(e.awsErrorDetails().errorMessage()).build());
    }
  }
}
