package io.launchworker.launch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What this process remembers of a token's last receive, so that its next receive need not wait a consistency
 * window again: when that receive last did something that may have launched (a RunInstances call without a clear
 * answer, and on which shape) or when it looked up and found nothing and handed the message back to wait. The
 * memory counts only for the same message (messages sharing a producer's clientToken are remembered apart: another
 * one may be launching elsewhere) and for its receive right after (SQS's receive count one higher): then no other
 * process held the message in between, and every call on it happened by {@link Entry#at()}. Another process, or a receive in
 * between, has no such memory and waits. Bounded (least recently used out first); thread-safe.
 */
final class DoubtMemory {
  /** Enough for every message of a full backlog in flight many times over; an entry is a few dozen bytes. */
  private static final int MAX_ENTRIES = 10_000;

  /**
   * @param receiveCount the receive it was written at
   * @param at no call on the message that may have launched happened after this
   * @param unclearShape the position of the shape whose call failed without an answer, if that is why
   */
  record Entry(int receiveCount, Instant at, OptionalInt unclearShape) {}

  // Guarded by this.
  private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** A call on shape {@code position} failed at {@code at} in a way that may have launched. */
  synchronized void unclear(String messageId, String token, int receiveCount, Instant at, int position) {
    entries.put(key(messageId, token), new Entry(receiveCount, at, OptionalInt.of(position)));
  }

  /** The message was handed back at {@code at} to wait for the window after an empty look-up. */
  synchronized void held(String messageId, String token, int receiveCount, Instant at) {
    entries.put(key(messageId, token), new Entry(receiveCount, at, OptionalInt.empty()));
  }

  /** The token's request reached a final outcome here. */
  synchronized void settled(String messageId, String token) {
    entries.remove(key(messageId, token));
  }

  /** What the directly preceding receive left, if this process made it. */
  synchronized Optional<Entry> previous(String messageId, String token, int receiveCount) {
    Entry entry = entries.get(key(messageId, token));
    return entry != null && entry.receiveCount() + 1 == receiveCount ? Optional.of(entry) : Optional.empty();
  }

  private static String key(String messageId, String token) {
    return messageId + '\n' + token;
  }
}
