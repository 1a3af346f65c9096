package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The source queue's maxReceiveCount, as SQS writes it, and the warning when it leaves no room. */
class QueueRedriveTest {

  @Test
  void readsMaxReceiveCountWrittenAsANumberOrAString() {
    assertThat(QueueRedrive.parse("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:1:dlq\",\"maxReceiveCount\":5}"))
        .hasValue(5);
    assertThat(QueueRedrive.parse("{\"deadLetterTargetArn\":\"arn\",\"maxReceiveCount\":\"12\"}")).hasValue(12);
  }

  @Test
  void noPolicyOrOneNotUnderstoodMeansNoLimit() {
    assertThat(QueueRedrive.parse(null)).isEmpty();
    assertThat(QueueRedrive.parse("")).isEmpty();
    assertThat(QueueRedrive.parse("{\"deadLetterTargetArn\":\"arn\"}")).isEmpty();
    assertThat(QueueRedrive.parse("not json")).isEmpty();
  }

  @Test
  void warnsWhenTheQueuesRedriveLeavesNoRoomAboveMaxAttempts() {
    assertThat(QueueRedrive.tooTight(OptionalInt.of(5), 10)).hasValueSatisfying(w -> assertThat(w)
        .contains("maxReceiveCount 5", "max-attempts 10", "receive_limit_reached"));
    assertThat(QueueRedrive.tooTight(OptionalInt.of(10), 10)).isPresent();
    assertThat(QueueRedrive.tooTight(OptionalInt.of(25), 10)).isEmpty();
    assertThat(QueueRedrive.tooTight(OptionalInt.empty(), 10)).isEmpty();
  }
}
