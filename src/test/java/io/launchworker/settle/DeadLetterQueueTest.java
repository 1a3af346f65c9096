package io.launchworker.settle;

import io.launchworker.message.InFlightMessage;
import io.launchworker.message.MessageAttributes;
import io.launchworker.message.Outcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.WithEmbeddedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The DLQ copy's attributes: SQS-safe, never the producer's {@code launch-worker-*}, and cut in a fixed order to
 * fit the DLQ's size limit. ElasticMQ does not enforce {@code MaximumMessageSize}, so {@link SizeLimitedSqs}
 * does.
 */
class DeadLetterQueueTest extends WithEmbeddedSqs {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private static final Outcome INVALID = Outcome.rejected("invalid_value",
      "instanceType: string \"" + "x".repeat(900) + "\uFFFF\" is not an instance type", Optional.empty());
  private static final Map<String, String> PRODUCER = Map.of("team", "blue", "trace", "t".repeat(100));
  private static int queues;
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private SizeLimitedSqs limited;
  private String dlq;



  @BeforeEach
  void newDlq() {
    dlq = sqs.createQueue("dlq-" + (++queues), Duration.ofSeconds(30));
    limited = new SizeLimitedSqs(sqs.client());
  }

  @Test
  void theDetailQuotesACharacterSqsRefusesByItsEscape() {
    Map<String, String> attributes = DeadLetterQueue.attributes(message("{}", Map.of()), "tok", INVALID, 262_144);

    assertThat(attributes.get(MessageAttributes.DETAIL)).endsWith("\\uFFFF\" is not an instance type");
  }

  @Test
  void noLaunchWorkerAttributeIsCopiedFromTheSourceMessage() {
    Map<String, String> attributes = DeadLetterQueue.attributes(message("{}", Map.of(
        MessageAttributes.ERROR_CODE, "InvalidAMIID.NotFound", MessageAttributes.REASON, "forged",
        "launch-worker-anything", "forged", "team", "blue")), "tok", INVALID, 262_144);

    assertThat(attributes).doesNotContainKeys(MessageAttributes.ERROR_CODE, "launch-worker-anything")
        .containsEntry(MessageAttributes.REASON, "invalid_value").containsEntry("team", "blue");
  }

  @Test
  void overTheLimitTheProducersAttributesGoFirst() {
    InFlightMessage message = message("b".repeat(1_000), PRODUCER);
    int all = size(message.body(), DeadLetterQueue.attributes(message, "tok", INVALID, 262_144));

    Map<String, String> attributes = DeadLetterQueue.attributes(message, "tok", INVALID, all - 1);

    assertThat(attributes).containsKey("team").doesNotContainKey("trace");
    assertThat(attributes.get(MessageAttributes.DETAIL)).doesNotEndWith(SqsText.CUT);
    assertThat(size(message.body(), attributes)).isLessThan(all);
  }

  @Test
  void thenTheDetailIsShortenedWhileTokenReasonAndOriginalIdStay() {
    InFlightMessage message = message("b".repeat(1_000), PRODUCER);

    Map<String, String> attributes = DeadLetterQueue.attributes(message, "tok", INVALID, 1_800);

    assertThat(attributes).doesNotContainKeys("team", "trace")
        .containsEntry(MessageAttributes.TOKEN, "tok").containsEntry(MessageAttributes.REASON, "invalid_value")
        .containsEntry(MessageAttributes.ORIGINAL_MESSAGE_ID, "m-1")
        .containsEntry(MessageAttributes.RECEIVE_COUNT, "3");
    assertThat(attributes.get(MessageAttributes.DETAIL)).startsWith("instanceType: ").endsWith(SqsText.CUT);
    assertThat(size(message.body(), attributes)).isLessThanOrEqualTo(1_800);
  }

  @Test
  void aBodyThatLeavesNoRoomKeepsOnlyTokenReasonAndOriginalId() {
    InFlightMessage message = message("b".repeat(2_000), PRODUCER);
    Outcome ec2 = Outcome.rejected("ec2:InvalidAMIID.NotFound", "gone", Optional.of("InvalidAMIID.NotFound"));

    Map<String, String> attributes = DeadLetterQueue.attributes(message, "tok", ec2, 1_024);

    assertThat(attributes).containsOnlyKeys(MessageAttributes.TOKEN, MessageAttributes.REASON,
        MessageAttributes.ORIGINAL_MESSAGE_ID);
  }

  @Test
  void aBodyNearTheDlqsLimitIsDeadLetteredByteForByteWithItsAttributesCutToFit() {
    limited.limit(dlq, 2_048, true);
    InFlightMessage message = message("{\"imageId\":\"" + "é".repeat(850) + "\"}", PRODUCER);

    new DeadLetterQueue(limited, dlq, metrics).send(message, "tok", INVALID);

    Message dead = receiveOne();
    assertThat(dead.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(message.body().getBytes(
        StandardCharsets.UTF_8));
    assertThat(dead.messageAttributes().get(MessageAttributes.REASON).stringValue()).isEqualTo("invalid_value");
    assertThat(dead.messageAttributes().get(MessageAttributes.DETAIL).stringValue()).endsWith(SqsText.CUT);
    assertThat(limited.refusals()).isEmpty();
  }

  @Test
  void theLimitIsReadOncePerQueue() {
    limited.limit(dlq, 4_096, true);
    DeadLetterQueue deadLetters = new DeadLetterQueue(limited, dlq, metrics);

    for (int i = 0; i < 3; i++) {
      deadLetters.send(message("{}", Map.of()), "tok-" + i, INVALID);
    }

    assertThat(limited.sizeReads(dlq)).isEqualTo(1);
  }

  @Test
  void whenTheLimitCannotBeReadSqssDefaultIsAssumedAndATooBigSendIsARefusal() {
    limited.limit(dlq, 2_048, false);
    DeadLetterQueue deadLetters = new DeadLetterQueue(limited, dlq, metrics);
    InFlightMessage message = message("b".repeat(1_500), PRODUCER);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> deadLetters.send(message, "tok", INVALID))
          .isInstanceOfSatisfying(DeadLetterSendException.class, e -> assertThat(e.refused()).isTrue());
    }
    deadLetters.sendMinimal(message, "tok", INVALID);

    assertThat(limited.sizeReads(dlq)).isEqualTo(1);
    assertThat(receiveOne().messageAttributes()).containsOnlyKeys(MessageAttributes.TOKEN,
        MessageAttributes.REASON, MessageAttributes.ORIGINAL_MESSAGE_ID);
  }

  @Test
  void aDlqOutageIsNotARefusal() {
    limited.down(dlq);

    assertThatThrownBy(() -> new DeadLetterQueue(limited, dlq, metrics).send(message("{}", Map.of()), "tok",
        INVALID)).isInstanceOfSatisfying(DeadLetterSendException.class, e -> assertThat(e.refused()).isFalse());
  }

  private static InFlightMessage message(String body, Map<String, String> attributes) {
    return new InFlightMessage("m-1", "handle", body, 3, NOW, NOW, NOW.plusSeconds(30), attributes,
        Optional.empty());
  }

  private static int size(String body, Map<String, String> attributes) {
    int bytes = body.getBytes(StandardCharsets.UTF_8).length;
    for (Map.Entry<String, String> a : attributes.entrySet()) {
      bytes += a.getKey().length() + "String".length() + a.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes;
  }

  private Message receiveOne() {
    List<Message> messages = sqs.client().receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10)
        .messageAttributeNames("All")).messages();
    assertThat(messages).hasSize(1);
    return messages.get(0);
  }
}
