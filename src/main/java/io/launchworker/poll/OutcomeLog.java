package io.launchworker.poll;

import io.launchworker.request.SafeText;
import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per decided message, with everything an operator asks about it as key-value pairs (fields of
 * their own in JSON logs). Message ID, token and receive count come from the MDC ({@link MessageContext}).
 * Never the body: it may carry userData. Every text value is {@link SafeText#escape escaped}: a detail may quote
 * an EC2 error that quotes the request, and a log line must not be reordered or split by what it reports.
 */
final class OutcomeLog {
  private static final Logger log = LoggerFactory.getLogger("io.launchworker.outcome");

  private OutcomeLog() {}

  static void write(Decision d) {
    Outcome o = d.outcome();
    LoggingEventBuilder line = log.atLevel(o.kind().deadLettered() ? Level.WARN : Level.INFO)
        .addKeyValue("outcome", o.kind().name())
        .addKeyValue("reason", SafeText.escape(o.reason()));
    d.requestId().ifPresent(id -> line.addKeyValue("requestId", SafeText.escape(id)));
    o.reservationId().ifPresent(id -> line.addKeyValue("reservationId", SafeText.escape(id)));
    if (!o.instances().isEmpty()) {
      line.addKeyValue("instanceIds", o.instanceIds().stream().map(SafeText::escape).toList());
    }
    o.placement().ifPresent(p -> {
      line.addKeyValue("market", p.market().wire());
      p.instanceType().ifPresent(t -> line.addKeyValue("instanceType", SafeText.escape(t)));
      p.subnetId().ifPresent(s -> line.addKeyValue("subnetId", SafeText.escape(s)));
      p.availabilityZone().ifPresent(z -> line.addKeyValue("availabilityZone", SafeText.escape(z)));
    });
    if (!o.refusals().isEmpty()) {
      line.addKeyValue("refusedShapes", o.refusals().stream().map(r -> SafeText.escape(r.describe())).toList());
    }
    o.errorCode().ifPresent(code -> line.addKeyValue("errorCode", SafeText.escape(code)));
    line.addKeyValue("durationMs", Duration.between(d.receivedAt(), d.decidedAt()).toMillis())
        .log("{} {}: {}", o.kind(), SafeText.escape(o.reason()), SafeText.escape(o.detail()));
  }
}
