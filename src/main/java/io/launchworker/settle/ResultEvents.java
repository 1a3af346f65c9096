package io.launchworker.settle;

import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import io.launchworker.ops.PlacementJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
 * <p>The JSON is pure ASCII (every other character is written as a JSON escape), so no decoded input can make SQS
 * refuse it, and the {@code detail} is cut so the event fits the results queue's {@code MaximumMessageSize}.
 *
 * <p>Format version 1: {@code schemaVersion, outcome, reason, token, messageId, requestId, reservationId,
 * instances[{instanceId,state}], placement{market,instanceType,subnetId,availabilityZone},
 * refusals[{market,instanceType,subnetId,errorCode}], refusalCount, errorCode, detail, receiveCount, sentAt,
 * receivedAt, decidedAt}.
 */
public final class ResultEvents {
  public static final int SCHEMA_VERSION = 1;
  /** ASCII out: a lone surrogate or U+FFFF decoded from a request becomes a six-character JSON escape. */
  private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
  /** The same bound as the DLQ's detail attribute: an explanation, not a payload. */
  private static final int MAX_DETAIL_BYTES = 1_024;

  private final SqsClient sqs;
  private final String resultsUrl;
  private final MaxMessageSize maxMessageSize;

  public ResultEvents(SqsClient sqs, String resultsUrl) {
    this.sqs = sqs;
    this.resultsUrl = resultsUrl;
    this.maxMessageSize = new MaxMessageSize(sqs, resultsUrl);
  }

  public void publish(Decision decision) {
    SendMessageRequest.Builder request = SendMessageRequest.builder().queueUrl(resultsUrl)
        .messageBody(toJson(decision, maxMessageSize.bytes()));
    if (resultsUrl.endsWith(".fifo")) {
      // One group per token keeps a token's events in order; the ID de-duplicates a re-sent event of one
      // message's outcome, but not the event of another message (a producer retry, a redrive) for the token.
      request.messageGroupId(decision.messageGroupId().orElse(FifoIds.sanitize(decision.token())))
          .messageDeduplicationId(FifoIds.sanitize(decision.messageId() + ":" + decision.outcome().kind()));
    }
    sqs.sendMessage(request.build());
  }

  /**
   * The event's JSON text in at most {@code maxBytes} when shortening the detail can get it there (nothing else
   * in an event is long enough to matter); SQS refuses it otherwise, and the settler bounds that.
   */
  static String toJson(Decision d, int maxBytes) {
    String detail = d.outcome().kind().deadLettered() ? SqsText.bounded(d.outcome().detail(), MAX_DETAIL_BYTES)
        : null;
    String json = render(d, detail); // ASCII: one byte per character
    if (json.length() <= maxBytes || detail == null || detail.isEmpty()) {
      return json;
    }
    // The longest cut of the detail that fits, found by halving: a handful of renders of a few KiB each.
    int fits = 0;
    int tooLong = detail.length();
    while (tooLong - fits > 1) {
      int middle = (fits + tooLong) >>> 1;
      if (render(d, cut(detail, middle)).length() <= maxBytes) {
        fits = middle;
      } else {
        tooLong = middle;
      }
    }
    return render(d, fits == 0 ? "" : cut(detail, fits));
  }

  /** The first {@code end} characters, one fewer rather than half a surrogate pair, and the cut mark. */
  private static String cut(String text, int end) {
    int at = end > 0 && Character.isHighSurrogate(text.charAt(end - 1)) ? end - 1 : end;
    return text.substring(0, at) + SqsText.CUT;
  }

  private static String render(Decision d, String detail) {
    ObjectNode e = JSON.createObjectNode();
    Outcome o = d.outcome();
    e.put("schemaVersion", SCHEMA_VERSION);
    e.put("outcome", o.kind().name());
    e.put("reason", o.reason());
    e.put("token", d.token());
    e.put("messageId", d.messageId());
    d.requestId().ifPresent(id -> e.put("requestId", SqsText.escape(id)));
    o.reservationId().ifPresent(id -> e.put("reservationId", id));
    ArrayNode instances = e.putArray("instances");
    for (Outcome.InstanceRef i : o.instances()) {
      instances.addObject().put("instanceId", i.instanceId()).put("state", i.state());
    }
    PlacementJson.write(e, o, SqsText::escape);
    o.errorCode().ifPresent(code -> e.put("errorCode", code));
    if (detail != null) {
      e.put("detail", detail);
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
