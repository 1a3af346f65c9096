package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The status page draws {@code /status.json} with {@code textContent}, so markup is inert already; what must
 * not reach it raw is text that reorders or hides itself. Every text of a recent outcome arrives escaped.
 */
class StatusJsonEscapingTest {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:05Z");
  private static final String HIDDEN = "\u202E\u2066\u200D\u009B\uDC00\uFFFE";
  private static final String ESCAPED = "\\u202E\\u2066\\u200D\\u009B\\uDC00\\uFFFE";

  @Test
  void everyTextOfARecentOutcomeIsEscapedInStatusJson() throws Exception {
    RecentOutcomes recent = new RecentOutcomes(new MutableClock(NOW));
    Outcome outcome = new Outcome(OutcomeKind.REJECTED, "reason" + HIDDEN, "detail" + HIDDEN,
        Optional.of("Code" + HIDDEN), Optional.of("r-1" + HIDDEN), List.of(new Outcome.InstanceRef("i-1" + HIDDEN,
        "state" + HIDDEN)), Duration.ZERO);
    recent.decided(new Decision("m-1" + HIDDEN, "t-1" + HIDDEN, Optional.of("job" + HIDDEN), 1, Optional.empty(),
        NOW, NOW, NOW, outcome));

    String body = new StatusJson(new SimpleMeterRegistry(), recent).render();

    JsonNode d = new ObjectMapper().readTree(body).at("/recent/0");
    assertThat(d.get("reason").textValue()).isEqualTo("reason" + ESCAPED);
    assertThat(d.get("detail").textValue()).isEqualTo("detail" + ESCAPED);
    assertThat(d.get("errorCode").textValue()).isEqualTo("Code" + ESCAPED);
    assertThat(d.get("messageId").textValue()).isEqualTo("m-1" + ESCAPED);
    assertThat(d.get("token").textValue()).isEqualTo("t-1" + ESCAPED);
    assertThat(d.get("requestId").textValue()).isEqualTo("job" + ESCAPED);
    assertThat(d.get("reservationId").textValue()).isEqualTo("r-1" + ESCAPED);
    assertThat(d.at("/instances/0/instanceId").textValue()).isEqualTo("i-1" + ESCAPED);
    assertThat(d.at("/instances/0/state").textValue()).isEqualTo("state" + ESCAPED);
    assertThat(body.codePoints().filter(c -> HIDDEN.indexOf(c) >= 0)).as("no raw hidden character").isEmpty();
  }

  @Test
  void absentOptionalTextsStayJsonNull() throws Exception {
    RecentOutcomes recent = new RecentOutcomes(new MutableClock(NOW));
    recent.decided(Decisions.rejected("m-2", NOW, "invalid_tag", "tags.x: value contains U+202E"));
    JsonNode d = new ObjectMapper().readTree(new StatusJson(new SimpleMeterRegistry(), recent).render())
        .at("/recent/0");

    assertThat(d.get("errorCode").isNull()).isTrue();
    assertThat(d.get("reservationId").isNull()).isTrue();
    assertThat(d.get("detail").textValue()).isEqualTo("tags.x: value contains U+202E");
  }

  @Test
  void aLaunchSaysWhereItLandedAndWhichShapesWereRefusedFirst() throws Exception {
    RecentOutcomes recent = new RecentOutcomes(new MutableClock(NOW));
    io.launchworker.request.LaunchShape refused = new io.launchworker.request.LaunchShape(0,
        io.launchworker.request.Market.SPOT, Optional.of("c7i.large"), Optional.of("subnet-0aaa1111"));
    recent.decided(Decisions.decision("m-3", NOW, Outcome.launched("r-3", List.of(new Outcome.InstanceRef("i-3",
            "pending")))
        .withPlacement(Optional.of(new io.launchworker.message.Placement(io.launchworker.request.Market.ON_DEMAND,
            Optional.of("m7i.large"), Optional.of("subnet-0bbb2222"), Optional.of("us-east-1b"))))
        .withRefusals(List.of(new io.launchworker.message.ShapeRefusal(refused, "InsufficientInstanceCapacity")))));

    JsonNode d = new ObjectMapper().readTree(new StatusJson(new SimpleMeterRegistry(), recent).render())
        .at("/recent/0");

    assertThat(d.at("/placement/market").textValue()).isEqualTo("on-demand");
    assertThat(d.at("/placement/instanceType").textValue()).isEqualTo("m7i.large");
    assertThat(d.at("/placement/availabilityZone").textValue()).isEqualTo("us-east-1b");
    assertThat(d.at("/refusals/0/market").textValue()).isEqualTo("spot");
    assertThat(d.at("/refusals/0/errorCode").textValue()).isEqualTo("InsufficientInstanceCapacity");
    assertThat(d.get("refusalCount").intValue()).isEqualTo(1);
  }
}
