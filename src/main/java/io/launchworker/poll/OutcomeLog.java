package io.launchworker.poll;

import io.launchworker.launch.LaunchHandler;
import io.launchworker.settle.InFlightMessage;
import io.launchworker.settle.Outcome;
import io.launchworker.settle.OutcomeKind;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line per decided message, with everything an operator asks about it (never userData). */
final class OutcomeLog {
  private static final Logger log = LoggerFactory.getLogger("io.launchworker.outcome");

  private OutcomeLog() {}

  static void write(InFlightMessage message, LaunchHandler.Result result, Outcome outcome, Duration took) {
    String line = "outcome={} reason={} messageId={} token={} requestId={} receiveCount={} reservation={} "
        + "instances={} errorCode={} durationMs={} detail=\"{}\"";
    Object[] args = {outcome.kind(), outcome.reason(), message.messageId(), result.token().value(),
        result.requestId().orElse("-"), message.receiveCount(), outcome.reservationId().orElse("-"),
        outcome.instanceIds(), outcome.errorCode().orElse("-"), took.toMillis(), outcome.detail()};
    if (outcome.kind() == OutcomeKind.REJECTED) {
      log.warn(line, args);
    } else {
      log.info(line, args);
    }
  }
}
