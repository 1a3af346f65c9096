package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** What request text reaches a log line, it reaches escaped: nothing it carries can reorder or split the line. */
class OutcomeLogTest {
  private static final Instant AT = Instant.parse("2026-11-29T10:00:05Z");
  /** Right-to-left override, zero width space, C1 next line, a lone surrogate, a noncharacter, a line separator. */
  private static final String HIDDEN = "\u202E\u200B\u0085\uD800\uFFFF\u2028";
  private static final String ESCAPED = "\\u202E\\u200B\\u0085\\uD800\\uFFFF\\u2028";

  @Test
  void theOutcomeLineEscapesHiddenCharactersInDetailErrorCodeRequestIdAndInstanceFields() {
    Outcome outcome = new Outcome(OutcomeKind.REJECTED, "invalid_key_pair",
        "EC2 said: The key pair 'ops" + HIDDEN + "' does not exist", Optional.of("InvalidKeyPair" + HIDDEN),
        Optional.of("r-1" + HIDDEN), List.of(new Outcome.InstanceRef("i-1" + HIDDEN, "pending")), Duration.ZERO);
    Decision d = new Decision("m-1", "t-1", Optional.of("job" + HIDDEN), 1, Optional.empty(), AT, AT, AT, outcome);

    String logged;
    try (LogCapture capture = new LogCapture()) {
      OutcomeLog.write(d);
      logged = capture.text();
    }

    assertThat(logged).contains("The key pair 'ops" + ESCAPED + "' does not exist")
        .contains("errorCode=\"InvalidKeyPair" + ESCAPED + "\"")
        .contains("requestId=\"job" + ESCAPED + "\"")
        .contains("reservationId=\"r-1" + ESCAPED + "\"")
        .contains("i-1" + ESCAPED);
    assertThat(logged.codePoints().filter(c -> HIDDEN.indexOf(c) >= 0)).as("no raw hidden character").isEmpty();
    assertThat(logged.lines()).as("one line").hasSize(1);
  }

  @Test
  void theMessageContextPutsEscapedIdentitiesIntoTheMdc() {
    InFlightMessage message = new InFlightMessage("m" + HIDDEN, "receipt", "{}", 2, AT, AT, AT.plusSeconds(30),
        Map.of(), Optional.empty());

    try (MessageContext context = MessageContext.open(message)) {
      context.token("t" + HIDDEN);

      assertThat(MDC.get(MessageContext.MESSAGE_ID)).isEqualTo("m" + ESCAPED);
      assertThat(MDC.get(MessageContext.TOKEN)).isEqualTo("t" + ESCAPED);
    }
    assertThat(MDC.get(MessageContext.MESSAGE_ID)).isNull();
  }
}
