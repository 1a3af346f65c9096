package io.launchworker.poll;

import io.launchworker.request.SafeText;
import io.launchworker.message.InFlightMessage;
import org.slf4j.MDC;

/**
 * Puts a message's identity into the logging MDC for every line logged while it is handled, {@link SafeText#escape
 * escaped}: message IDs and tokens are ASCII today, but the MDC rides on every line and must never be what
 * splits or reorders one.
 */
final class MessageContext implements AutoCloseable {
  static final String MESSAGE_ID = "messageId";
  static final String TOKEN = "token";
  static final String RECEIVE_COUNT = "receiveCount";

  private MessageContext() {}

  static MessageContext open(InFlightMessage message) {
    MDC.put(MESSAGE_ID, SafeText.escape(message.messageId()));
    MDC.put(RECEIVE_COUNT, Integer.toString(message.receiveCount()));
    return new MessageContext();
  }

  void token(String token) {
    MDC.put(TOKEN, SafeText.escape(token));
  }

  @Override
  public void close() {
    MDC.remove(MESSAGE_ID);
    MDC.remove(TOKEN);
    MDC.remove(RECEIVE_COUNT);
  }
}
