package io.launchworker.it;

import io.launchworker.message.MessageAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Everything in a DLQ, read once after the run: each dead letter by the original message ID and reason the
 * worker wrote on it. Reading hides the messages (long visibility) instead of deleting them. Stateless.
 */
final class DeadLetters {
  /** Longer than any test: a dead letter read once is not read again. */
  private static final int HIDE_SECONDS = 3_600;

  /** One DLQ message: the source message it stands for and why it was rejected. */
  record DeadLetter(String originalMessageId, String reason, String receiveCount) {}

  private DeadLetters() {}

  static List<DeadLetter> drain(SqsClient sqs, String dlqUrl) {
    List<DeadLetter> all = new ArrayList<>();
    while (true) {
      List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(dlqUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
          .visibilityTimeout(HIDE_SECONDS).messageAttributeNames("All")).messages();
      if (batch.isEmpty()) {
        return all;
      }
      for (Message m : batch) {
        Map<String, MessageAttributeValue> a = m.messageAttributes();
        all.add(new DeadLetter(string(a, MessageAttributes.ORIGINAL_MESSAGE_ID), string(a, MessageAttributes.REASON),
            string(a, MessageAttributes.RECEIVE_COUNT)));
      }
    }
  }

  /** Original message ID → reason; a message dead-lettered twice (see the crash test) keeps one entry. */
  static Map<String, String> byOriginalId(List<DeadLetter> letters) {
    return letters.stream().collect(Collectors.toMap(DeadLetter::originalMessageId, DeadLetter::reason,
        (a, b) -> a.equals(b) ? a : a + "|" + b));
  }

  private static String string(Map<String, MessageAttributeValue> attributes, String name) {
    MessageAttributeValue value = attributes.get(name);
    return value == null ? "(no " + name + ")" : value.stringValue();
  }
}
