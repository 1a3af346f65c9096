package io.launchworker.message;

import java.time.Instant;
import java.util.Optional;

/**
 * What was decided for one message, with everything a result event, a log line or the status page needs.
 * Immutable; never contains the request body (which may carry userData).
 */
public record Decision(
    String messageId,
    String token,
    Optional<String> requestId,
    int receiveCount,
    Optional<String> messageGroupId,
    Instant sentAt,
    Instant receivedAt,
    Instant decidedAt,
    Outcome outcome) {

  public Decision withOutcome(Outcome applied, Instant at) {
    return new Decision(messageId, token, requestId, receiveCount, messageGroupId, sentAt, receivedAt, at, applied);
  }
}
