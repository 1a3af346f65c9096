package io.launchworker.sim;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A received {@link StoredMessage} as ReceiveMessage answers it: only the system attributes asked for
 * ({@code All} or by name: ApproximateReceiveCount, SentTimestamp, ApproximateFirstReceiveTimestamp, SenderId,
 * MessageGroupId when the message has one) and only the message attributes asked for ({@code All}, {@code .*},
 * a {@code prefix.*} or an exact name). Stateless.
 */
final class ReceivedMessages {
  private ReceivedMessages() {}

  static Message toMessage(StoredMessage m, Set<String> systemNames, List<String> attributeNames) {
    Map<MessageSystemAttributeName, String> system = new EnumMap<>(MessageSystemAttributeName.class);
    boolean all = systemNames.contains("All");
    put(system, all, systemNames, MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
        Integer.toString(m.receiveCount));
    put(system, all, systemNames, MessageSystemAttributeName.SENT_TIMESTAMP, Long.toString(m.sentAt.toEpochMilli()));
    put(system, all, systemNames, MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP,
        Long.toString(m.firstReceivedAt.toEpochMilli()));
    put(system, all, systemNames, MessageSystemAttributeName.SENDER_ID, m.senderId);
    m.messageGroupId.ifPresent(g -> put(system, all, systemNames, MessageSystemAttributeName.MESSAGE_GROUP_ID, g));
    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
    m.attributes.forEach((name, value) -> {
      if (asked(name, attributeNames)) {
        attributes.put(name, value);
      }
    });
    return Message.builder().messageId(m.messageId).receiptHandle(m.receiptHandle).body(m.body)
        .attributes(system).messageAttributes(attributes).build();
  }

  private static void put(Map<MessageSystemAttributeName, String> system, boolean all, Set<String> names,
      MessageSystemAttributeName name, String value) {
    if (all || names.contains(name.toString())) {
      system.put(name, value);
    }
  }

  private static boolean asked(String name, List<String> patterns) {
    for (String p : patterns) {
      if (p.equals("All") || p.equals(".*") || p.equals(name)
          || (p.endsWith(".*") && name.startsWith(p.substring(0, p.length() - 1)))) {
        return true;
      }
    }
    return false;
  }
}
