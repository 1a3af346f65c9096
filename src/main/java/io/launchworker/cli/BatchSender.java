package io.launchworker.cli;

import io.launchworker.config.AwsErrors;
import io.launchworker.launch.Token;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * Sends prepared requests with {@code SendMessageBatch}: at most 10 entries and 256 KiB a call. An entry the
 * response reports as failed through no fault of the request is sent again, up to {@code maxTries} in all;
 * one failed by the sender's fault (e.g. characters SQS does not allow) is reported at once. When a whole
 * call fails, its entries are reported and nothing further is sent: if the failure was not an answer from SQS
 * (a timeout), they may have been sent after all, which only a client token makes harmless.
 *
 * <p>Not thread-safe; blocks on SQS. Reports per request in input order within each batch.
 */
final class BatchSender {
  /** SQS's limits for one {@code SendMessageBatch}. */
  static final int MAX_ENTRIES = 10;
  static final int MAX_BATCH_BYTES = 262_144;

  /** What became of one request. */
  sealed interface Result {
    int line();
  }

  /** @param clientToken the body's clientToken (the worker scopes it by sender), else derived from the message ID */
  record Sent(int line, String messageId, String clientToken) implements Result {}

  /** @param maybeSent the call's fate is unknown (no answer from SQS), so the message may be on the queue */
  record Failed(int line, String reason, boolean maybeSent) implements Result {}

  /** Waits between tries; tests pass one that does not sleep. */
  interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  private final SqsClient sqs;
  private final String queueUrl;
  private final Optional<String> messageGroupId;
  private final int maxTries;
  private final Duration retryDelay;
  private final Pause pause;

  /** @param messageGroupId for FIFO queues: the group of every message; de-duplication IDs are derived */
  BatchSender(SqsClient sqs, String queueUrl, Optional<String> messageGroupId, int maxTries, Duration retryDelay,
      Pause pause) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.messageGroupId = messageGroupId;
    this.maxTries = maxTries;
    this.retryDelay = retryDelay;
    this.pause = pause;
  }

  /**
   * Sends all, in order; {@code results} hears of each batch as soon as it is settled. Stops between calls once
   * {@code stop} says so, leaving the rest unreported: returns false then, true when every request was reported.
   *
   * @throws SdkException when the first call fails for a reason of the set-up ({@link AwsSetup#isSetupProblem}:
   *     no credentials, an endpoint that does not answer, a queue that does not exist), so nothing was sent and
   *     every other call would fail the same way
   */
  boolean send(List<RequestPreparer.Ready> requests, Progress progress, java.util.function.Consumer<Result> results,
      BooleanSupplier stop) throws InterruptedException {
    List<List<RequestPreparer.Ready>> batches = batches(requests);
    for (int b = 0; b < batches.size(); b++) {
      if (stop.getAsBoolean()) {
        return false;
      }
      BatchOutcome outcome = sendBatch(batches.get(b), b == 0);
      outcome.results().forEach(results);
      progress.advance(outcome.results().size());
      if (outcome.callFailed()) {
        for (List<RequestPreparer.Ready> rest : batches.subList(b + 1, batches.size())) {
          rest.forEach(r -> results.accept(new Failed(r.line(), "not attempted: an earlier call failed", false)));
        }
        return true;
      }
    }
    return true;
  }

  static List<List<RequestPreparer.Ready>> batches(List<RequestPreparer.Ready> requests) {
    List<List<RequestPreparer.Ready>> batches = new ArrayList<>();
    List<RequestPreparer.Ready> current = new ArrayList<>();
    long bytes = 0;
    for (RequestPreparer.Ready request : requests) {
      long size = request.body().getBytes(StandardCharsets.UTF_8).length;
      if (current.size() == MAX_ENTRIES || (!current.isEmpty() && bytes + size > MAX_BATCH_BYTES)) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(request);
      bytes += size;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  private SendMessageBatchRequestEntry entry(String id, RequestPreparer.Ready r) {
    SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder().id(id).messageBody(r.body());
    messageGroupId.ifPresent(group -> entry.messageGroupId(group)
        .messageDeduplicationId(r.clientToken().orElseGet(() -> ClientTokenField.token(r.body()))));
    return entry.build();
  }

  private record BatchOutcome(List<Result> results, boolean callFailed) {}

  private BatchOutcome sendBatch(List<RequestPreparer.Ready> batch, boolean first) throws InterruptedException {
    Map<String, RequestPreparer.Ready> pending = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      pending.put(Integer.toString(i), batch.get(i));
    }
    Map<Integer, Result> settled = new LinkedHashMap<>();
    boolean callFailed = false;
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      SendMessageBatchResponse response = null;
      SdkException failure = null;
      try {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        pending.forEach((id, r) -> entries.add(entry(id, r)));
        response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
      } catch (SdkException e) {
        if (first && attempt == 1 && AwsSetup.isSetupProblem(e)) {
          throw e;
        }
        failure = e;
      }
      if (failure instanceof AwsServiceException e) {
        String reason = "call failed: " + AwsErrors.codeOrStatus(e) + ": " + AwsErrors.message(e);
        pending.values().forEach(r -> settled.put(r.line(), new Failed(r.line(), reason, false)));
        callFailed = true;
        break;
      }
      if (failure != null) {
        // Without a connection nothing reached SQS; after one, the call may have been carried out.
        boolean maybeSent = !AwsSetup.isSetupProblem(failure);
        String reason = "call failed without an answer from SQS (" + failure.getMessage() + ")";
        pending.values().forEach(r -> settled.put(r.line(), new Failed(r.line(), reason, maybeSent)));
        callFailed = true;
        break;
      }
      for (SendMessageBatchResultEntry ok : response.successful()) {
        RequestPreparer.Ready r = pending.remove(ok.id());
        if (r != null) {
          String token = r.clientToken().orElseGet(() -> Token.fromMessageId(ok.messageId()));
          settled.put(r.line(), new Sent(r.line(), ok.messageId(), token));
        }
      }
      for (BatchResultErrorEntry failed : response.failed()) {
        RequestPreparer.Ready r = failed.senderFault() || attempt >= maxTries
            ? pending.remove(failed.id()) : null;
        if (r != null) {
          settled.put(r.line(), new Failed(r.line(), failed.code() + ": " + failed.message()
              + (failed.senderFault() ? "" : " (after " + attempt + " tries)"), false));
        }
      }
      if (attempt >= maxTries) {
        // Entries SQS answered neither way: not sent, as far as the response says.
        int tries = attempt;
        pending.values().forEach(r -> settled.put(r.line(), new Failed(r.line(),
            "no result for this entry after " + tries + " tries", false)));
        pending.clear();
      }
      if (!pending.isEmpty()) {
        pause.pause(retryDelay.multipliedBy(attempt));
      }
    }
    List<Result> inOrder = new ArrayList<>();
    batch.forEach(r -> inOrder.add(settled.get(r.line())));
    return new BatchOutcome(inOrder, callFailed);
  }
}
