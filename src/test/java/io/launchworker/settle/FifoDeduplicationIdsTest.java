package io.launchworker.settle;

import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.ops.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;

/**
 * The group and de-duplication IDs the worker gives its sends to a FIFO DLQ and a FIFO results queue, as the
 * README's "FIFO queues" section documents them: keyed by the source message, so a repeated send of one
 * message's outcome within SQS's window is dropped, while another message of the same token is kept.
 */
class FifoDeduplicationIdsTest {
  private static final String MESSAGE_ID = "9f0c7f52-5f4b-4a7e-9d0e-2b4c1c0e6a11";
  private static final Instant AT = Instant.parse("2026-11-29T10:00:00Z");

  private final List<SendMessageRequest> sent = new ArrayList<>();
  private final SqsClient recording = new SqsClient() {
    @Override
    public SendMessageResponse sendMessage(SendMessageRequest request) {
      sent.add(request);
      return SendMessageResponse.builder().messageId("m-" + sent.size()).build();
    }

    @Override
    public String serviceName() {
      return SqsClient.SERVICE_NAME;
    }

    @Override
    public void close() {}
  };

  private static InFlightMessage message(Optional<String> group) {
    return new InFlightMessage(MESSAGE_ID, "handle", "{}", 1, AT, AT, AT.plusSeconds(30), Map.of(), group);
  }

  private static Decision decision(Optional<String> group, Outcome outcome) {
    return new Decision(MESSAGE_ID, "ci-job-17", Optional.empty(), 1, group, AT, AT, AT, outcome);
  }

  private void deadLetter(String dlqUrl, Optional<String> group) {
    new DeadLetterQueue(recording, dlqUrl, new WorkerMetrics(new SimpleMeterRegistry()))
        .send(message(group), "ci-job-17", Outcome.rejected("invalid_count", "maxCount: 0", Optional.empty()));
  }

  @Test
  void aFifoDlqGetsTheSourceGroupElseTheTokenAndTheSourceMessageIdPlusDlq() {
    deadLetter("https://sqs.example/1/dlq.fifo", Optional.of("pool-1"));
    deadLetter("https://sqs.example/1/dlq.fifo", Optional.empty());

    assertThat(sent).extracting(SendMessageRequest::messageGroupId).containsExactly("pool-1", "ci-job-17");
    assertThat(sent).extracting(SendMessageRequest::messageDeduplicationId)
        .containsOnly(MESSAGE_ID + ":dlq");
  }

  @Test
  void aStandardDlqGetsNeitherId() {
    deadLetter("https://sqs.example/1/dlq", Optional.of("pool-1"));

    assertThat(sent).singleElement().satisfies(r -> {
      assertThat(r.messageGroupId()).isNull();
      assertThat(r.messageDeduplicationId()).isNull();
    });
  }

  @Test
  void aFifoResultsQueueGetsTheSourceGroupElseTheTokenAndTheSourceMessageIdPlusTheOutcome() {
    ResultEvents results = new ResultEvents(recording, "https://sqs.example/1/results.fifo");

    results.publish(decision(Optional.of("pool-1"), Outcome.launched("r-1", List.of())));
    results.publish(decision(Optional.empty(), Outcome.rejected("invalid_count", "maxCount: 0",
        Optional.empty())));

    assertThat(sent).extracting(SendMessageRequest::messageGroupId).containsExactly("pool-1", "ci-job-17");
    assertThat(sent).extracting(SendMessageRequest::messageDeduplicationId)
        .containsExactly(MESSAGE_ID + ":LAUNCHED", MESSAGE_ID + ":REJECTED");
  }
}
