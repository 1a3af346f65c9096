package io.launchworker.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.InvalidMessageContentsException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.TooManyEntriesInBatchRequestException;

class SimSqsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final SimSqs sqs = new SimSqs(clock, new SplittableRandom(7));
  private final SimQueue requests = sqs.addQueue("requests");
  private final String url = requests.url();

  @Test
  void aReceivedMessageComesBackWhenItsVisibilityTimeoutPassesOnTheClock() {
    send("one");
    assertEquals(1, receive(10, 30).size());
    assertEquals(1, requests.inFlight().size());
    clock.advance(Duration.ofSeconds(29));
    assertEquals(0, receive(10, 30).size());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, receive(10, 30).size());
  }

  @Test
  void everyReceiveKeepsTheMessageIdGivesANewHandleAndCountsTheReceive() {
    String id = send("one");
    Message first = receive(1, 0).get(0);
    Message second = receive(1, 0).get(0);
    assertEquals(id, first.messageId());
    assertEquals(id, second.messageId());
    assertNotEquals(first.receiptHandle(), second.receiptHandle());
    assertEquals("1", first.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
    assertEquals("2", second.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
    assertEquals(SimSqs.ACCOUNT_ID, second.attributes().get(MessageSystemAttributeName.SENDER_ID));
  }

  @Test
  void aStaleReceiptHandleIsInvalidAloneAndPerEntryInABatch() {
    send("one");
    String stale = receive(1, 0).get(0).receiptHandle();
    String latest = receive(1, 0).get(0).receiptHandle();
    assertThrows(ReceiptHandleIsInvalidException.class,
        () -> sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(stale)));
    DeleteMessageBatchResponse batch = sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(
        DeleteMessageBatchRequestEntry.builder().id("a").receiptHandle(stale).build(),
        DeleteMessageBatchRequestEntry.builder().id("b").receiptHandle(latest).build()));
    assertEquals("ReceiptHandleIsInvalid", batch.failed().get(0).code());
    assertEquals("b", batch.successful().get(0).id());
    assertTrue(requests.messages().isEmpty());
  }

  @Test
  void withAwsStaleDeleteSemanticsTheDeleteSucceedsButKeepsTheMessage() {
    sqs.staleDeletesSucceed(true);
    send("one");
    String stale = receive(1, 0).get(0).receiptHandle();
    receive(1, 0);
    sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(stale));
    assertEquals(1, requests.messages().size());
    assertThrows(ReceiptHandleIsInvalidException.class,
        () -> sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle("never-issued")));
  }

  @Test
  void theRedrivePolicyMovesAMessageOnTheReceiveAfterMaxReceiveCountAndRecordsTheMove() {
    SimQueue dlq = sqs.addQueue("requests-dlq");
    requests.redriveTo(dlq, 2);
    String id = send("one");
    assertEquals(1, receive(1, 0).size());
    assertEquals(1, receive(1, 0).size());
    assertEquals(0, receive(1, 0).size());
    assertEquals(List.of(new RedriveMove(id, url, dlq.url(), clock.instant(), 2)), sqs.redriveMoves());
    assertEquals(id, dlq.visible().get(0).messageId());
    assertEquals("{\"deadLetterTargetArn\":\"" + dlq.arn() + "\",\"maxReceiveCount\":2}",
        sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY)).attributes()
            .get(QueueAttributeName.REDRIVE_POLICY));
  }

  @Test
  void aDelayedMessageIsCountedAsDelayedUntilItsDelayPasses() {
    sqs.sendMessage(b -> b.queueUrl(url).messageBody("later").delaySeconds(60));
    assertEquals(0, receive(10, 30).size());
    Map<QueueAttributeName, String> depth = sqs.getQueueAttributes(b -> b.queueUrl(url)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
    assertEquals(Map.of(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "1"), depth);
    clock.advance(Duration.ofSeconds(60));
    assertEquals(1, receive(10, 30).size());
  }

  @Test
  void senderIdAndMessageAttributesComeBackOnlyWhenAsked() {
    sqs.sendMessage(SendMessageRequest.builder().queueUrl(url).messageBody("x").messageAttributes(Map.of("k",
        MessageAttributeValue.builder().dataType("String").stringValue("v").build())).build(), "AIDAPRODUCER");
    Message m = sqs.receiveMessage(b -> b.queueUrl(url)
        .messageSystemAttributeNames(MessageSystemAttributeName.SENDER_ID).messageAttributeNames("All"))
        .messages().get(0);
    assertEquals(Map.of(MessageSystemAttributeName.SENDER_ID, "AIDAPRODUCER"), m.attributes());
    assertEquals("v", m.messageAttributes().get("k").stringValue());
  }

  @Test
  void changingVisibilityNeedsAMessageInFlightAndStaysWithinTwelveHours() {
    send("one");
    String handle = receive(1, 10).get(0).receiptHandle();
    sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(handle).visibilityTimeout(120));
    clock.advance(Duration.ofSeconds(60));
    assertEquals(0, receive(1, 10).size());
    SqsException tooLong = assertThrows(SqsException.class,
        () -> sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(handle).visibilityTimeout(43_200)));
    assertEquals("InvalidParameterValue", tooLong.awsErrorDetails().errorCode());
    clock.advance(Duration.ofSeconds(60));
    assertThrows(MessageNotInflightException.class,
        () -> sqs.changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(handle).visibilityTimeout(5)));
  }

  @Test
  void batchesAboveTenEntriesAreRefused() {
    List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id("e" + i).receiptHandle("h")
          .visibilityTimeout(1).build());
    }
    assertThrows(TooManyEntriesInBatchRequestException.class,
        () -> sqs.changeMessageVisibilityBatch(b -> b.queueUrl(url).entries(entries)));
  }

  @Test
  void messagesSqsWouldRefuseAreRefused() {
    assertThrows(InvalidMessageContentsException.class, () -> send("bad \uFFFF"));
    requests.maximumMessageSize(1024);
    SqsException tooBig = assertThrows(SqsException.class, () -> send("x".repeat(1025)));
    assertEquals("InvalidParameterValue", tooBig.awsErrorDetails().errorCode());
  }

  @Test
  void injectedFaultsFailWholeCallsEntriesAndAnswers() {
    send("one");
    sqs.faults().failNext(SqsOperation.RECEIVE_MESSAGE, 1);
    SqsException failed = assertThrows(SqsException.class, () -> receive(1, 30));
    assertEquals(500, failed.statusCode());
    String handle = receive(1, 30).get(0).receiptHandle();
    sqs.faults().batchEntryFailureRate(1);
    DeleteMessageBatchResponse batch = sqs.deleteMessageBatch(b -> b.queueUrl(url)
        .entries(DeleteMessageBatchRequestEntry.builder().id("a").receiptHandle(handle).build()));
    assertEquals("InternalError", batch.failed().get(0).code());
    assertEquals(1, requests.messages().size());
    sqs.faults().clear().lostAnswerRate(SqsOperation.DELETE_MESSAGE, 1);
    assertThrows(SdkClientException.class, () -> sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(handle)));
    assertTrue(requests.messages().isEmpty(), "the delete happened; only its answer was lost");
    assertEquals(3, sqs.calls(SqsOperation.RECEIVE_MESSAGE) + sqs.calls(SqsOperation.DELETE_MESSAGE_BATCH));
  }

  @Test
  void oneSeedReplaysARunExactly() {
    assertEquals(run(42), run(42));
    assertNotEquals(run(42), run(43));
  }

  /** A run with random faults and several messages: what each receive returned, and what is left. */
  private static List<String> run(long seed) {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    SimSqs sqs = new SimSqs(clock, new SplittableRandom(seed));
    SimQueue queue = sqs.addQueue("q").redriveTo(sqs.addQueue("dlq"), 3);
    sqs.faults().errorRate(SqsOperation.RECEIVE_MESSAGE, 0.2).emptyReceiveRate(0.1).batchEntryFailureRate(0.3);
    List<String> transcript = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sqs.sendMessage(b -> b.queueUrl(queue.url()).messageBody("m"));
    }
    for (int i = 0; i < 40; i++) {
      int step = i;
      try {
        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queue.url()).maxNumberOfMessages(3)
            .visibilityTimeout(5)).messages();
        got.forEach(m -> transcript.add(step + " " + m.messageId() + " " + m.receiptHandle()));
        if (!got.isEmpty()) {
          Message m = got.get(0);
          DeleteMessageBatchResponse r = sqs.deleteMessageBatch(b -> b.queueUrl(queue.url()).entries(
              DeleteMessageBatchRequestEntry.builder().id("0").receiptHandle(m.receiptHandle()).build()));
          transcript.add("deleted " + r.successful().size());
        }
      } catch (SqsException e) {
        transcript.add(step + " " + e.statusCode());
      }
      clock.advance(Duration.ofSeconds(2));
    }
    transcript.add(queue.messages().toString());
    transcript.add(sqs.redriveMoves().toString());
    return transcript;
  }

  private String send(String body) {
    return sqs.sendMessage(b -> b.queueUrl(url).messageBody(body)).messageId();
  }

  private List<Message> receive(int max, int visibility) {
    return sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(max).waitTimeSeconds(20)
        .visibilityTimeout(visibility).messageAttributeNames("All")
        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
            MessageSystemAttributeName.SENT_TIMESTAMP, MessageSystemAttributeName.SENDER_ID)).messages();
  }
}
