package io.launchworker.poll;

import io.launchworker.settle.Decision;
import io.launchworker.settle.Outcome;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per decided message, with everything an operator asks about it as key-value pairs (fields of
 * their own in JSON logs). Never the body: it may carry userData.
 */
final class OutcomeLog {
  private static final Logger log = LoggerFactory.getLogger("io.launchworker.outcome");

  private OutcomeLog() {}

  static void write(Decision d) {
    Outcome o = d.outcome();
    Level level = o.kind().deadLettered() ? Level.WARN : Level.INFO;
    LoggingEventBuilder line = log.atLevel(level)
        .addKeyValue("outcome", o.kind().name())
        .addKeyValue("reason", o.reason())
        .addKeyValue("messageId", d.messageId())
        .addKeyValue("token", d.token())
        .addKeyValue("requestId", d.requestId().orElse(null))
        .addKeyValue("receiveCount", d.receiveCount())
        .addKeyValue("reservationId", o.reservationId().orElse(null))
        .addKeyValue("instanceIds", o.instanceIds())
        .addKeyValue("errorCode", o.errorCode().orElse(null))
        .addKeyValue("durationMs", Duration.between(d.receivedAt(), d.decidedAt()).toMillis());
    line.log("{} {} {}", o.kind(), o.reason(), o.detail());
  }
}
