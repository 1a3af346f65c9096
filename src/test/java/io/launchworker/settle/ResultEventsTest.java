package io.launchworker.settle;

import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.testing.WithEmbeddedSqs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** Result events are ASCII JSON SQS cannot refuse, and fit the results queue's size limit. */
class ResultEventsTest extends WithEmbeddedSqs {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();



  /** Regression: the decoded U+FFFF went into the event's JSON as is, and SQS refused the event. */
  @Test
  void anEventQuotingCharactersSqsRefusesIsSentAndReadsBackEscaped() throws Exception {
    String results = sqs.createQueue("results-hostile", Duration.ofSeconds(30));
    Decision rejected = decision(Optional.of("req-\uDFFF"), Outcome.rejected("invalid_value",
        "instanceType: string \"\uFFFF\uD800\" is not an instance type", Optional.empty()));

    new ResultEvents(sqs.client(), results).publish(rejected);

    List<Message> events = sqs.client().receiveMessage(b -> b.queueUrl(results)).messages();
    assertThat(events).hasSize(1);
    JsonNode event = JSON.readTree(events.get(0).body());
    assertThat(event.get("detail").textValue()).isEqualTo("instanceType: string \"\\uFFFF\\uD800\" is not an "
        + "instance type");
    assertThat(event.get("reason").textValue()).isEqualTo("invalid_value");
  }

  @Test
  void theJsonIsAsciiWhateverTheFieldsHold() {
    String json = ResultEvents.toJson(decision(Optional.of("réq-\uD83D\uDE80-\uDFFF"), Outcome.rejected(
        "invalid_value", "détail", Optional.empty())), 262_144);

    assertThat(json.chars().allMatch(c -> c >= 0x20 && c < 0x7F)).as(json).isTrue();
    assertThat(json).contains("\\u00E9", "\\uD83D\\uDE80", "\\uDFFF");
  }

  @Test
  void aLongDetailIsBoundedAndShortenedFurtherToFitASmallQueue() throws Exception {
    Decision longDetail = decision(Optional.empty(), Outcome.rejected("ec2:InvalidParameterValue",
        "ü".repeat(5_000), Optional.of("InvalidParameterValue")));

    String usual = ResultEvents.toJson(longDetail, 262_144);
    String small = ResultEvents.toJson(longDetail, 1_024);

    String bounded = JSON.readTree(usual).get("detail").textValue();
    assertThat(SqsText.utf8Length(bounded)).isLessThanOrEqualTo(1_024);
    assertThat(bounded).endsWith(SqsText.CUT);
    assertThat(small.length()).isLessThanOrEqualTo(1_024);
    JsonNode event = JSON.readTree(small);
    assertThat(event.get("detail").textValue()).startsWith("üü").endsWith(SqsText.CUT);
    assertThat(event.get("errorCode").textValue()).isEqualTo("InvalidParameterValue");
  }

  private static Decision decision(Optional<String> requestId, Outcome outcome) {
    return new Decision("m-1", "tok-1", requestId, 1, Optional.empty(), NOW, NOW, NOW, outcome);
  }
}
