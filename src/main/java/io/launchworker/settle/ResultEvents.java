package io.launchworker.settle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends one JSON result event per finally decided message to the results queue, before the message is deleted
 * (so a crash in between repeats the event rather than losing it: delivery is at least once, consumers
 * de-duplicate by {@code token}). Blocking; throws when SQS fails, in which case the caller must not delete the
 * source message. Thread-safe.
 *
 * <p>Format version 1: {@code schemaVersion, outcome, reason, token, messageId, requestId, reservationId,
 * instances[{instanceId,state}], errorCode, detail, receiveCount, sentAt, receivedAt, decidedAt}.
 */
public final class ResultEvents {
  public static final int SCHEMA_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqsClient sqs;
  private final String resultsUrl;

  public ResultEvents(SqsClient sqs, String resultsUrl) {
    this.sqs = sqs;
    this.resultsUrl = resultsUrl;
  }

  public void publish(Decision decision) {
    SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(resultsUrl)
        .messageBody(toJson(decision));
    if (resultsUrl.endsWith(".fifo")) {
      // One group per token keeps a token's events in order; the ID de-duplicates a re-sent event of one
      // message's outcome, but not the event of another message (a producer retry, a redrive) for the token.
      request.messageGroupId(decision.messageGroupId().orElse(FifoIds.sanitize(decision.token())))
          .messageDeduplicationId(FifoIds.sanitize(decision.messageId() + ":" + decision.outcome().kind()));
    }
    sqs.sendMessage(request.build());
  }

  /** The event's JSON text. */
  public static String toJson(Decision d) {
    ObjectNode e = JSON.createObjectNode();
    Outcome o = d.outcome();
    e.put("schemaVersion", SCHEMA_VERSION);
    e.put("outcome", o.kind().name());
    e.put("reason", o.reason());
    e.put("token", d.token());
    e.put("messageId", d.messageId());
    d.requestId().ifPresent(id -> e.put("requestId", id));
    o.reservationId().ifPresent(id -> e.put("reservationId", id));
    ArrayNode instances = e.putArray("instances");
    for (Outcome.InstanceRef i : o.instances()) {
      instances.addObject().put("instanceId", i.instanceId()).put("state", i.state());
    }
    o.errorCode().ifPresent(code -> e.put("errorCode", code));
    if (o.kind().deadLettered()) {
      e.put("detail", o.detail());
    }
    e.put("receiveCount", d.receiveCount());
    e.put("sentAt", d.sentAt().toString());
    e.put("receivedAt", d.receivedAt().toString());
    e.put("decidedAt", d.decidedAt().toString());
    try {
      return JSON.writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("a tree of strings always serializes", ex);
    }
  }
}
