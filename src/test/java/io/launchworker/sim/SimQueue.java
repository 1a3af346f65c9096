package io.launchworker.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One standard SQS queue of a {@link SimSqs}: its settings, its messages and their delivery state, as AWS documents
 * them. A message keeps its MessageId for life; every receive hands out a new receipt handle, increments
 * {@code ApproximateReceiveCount} and hides the message until its visibility timeout passes on the clock; only the
 * latest handle deletes it or changes its visibility (at most 12 hours from its receive). With a RedrivePolicy, a
 * receive that finds a message already received {@code maxReceiveCount} times moves it to the dead-letter queue
 * instead of returning it (keeping its MessageId, as ElasticMQ does). Receives take visible messages in an order
 * drawn from the seeded random: a standard queue promises no order.
 *
 * <p>Not modelled: FIFO queues, retention (a simulated run is shorter than the 4-day default), long polling
 * (receives never wait), the ~120,000 in-flight limit.
 *
 * <p>Thread-safe: every method holds its {@link SimSqs}'s lock.
 */
public final class SimQueue {
  /** SQS's defaults for a new queue. */
  static final Duration DEFAULT_VISIBILITY = Duration.ofSeconds(30);
  static final int DEFAULT_MAX_MESSAGE_BYTES = 262_144;
  /** A message stays in flight at most 12 hours from its receive, however often its visibility is changed. */
  static final Duration MAX_VISIBILITY = Duration.ofHours(12);

  private final Object lock;
  private final Clock clock;
  private final String name;
  private final String url;
  private final String arn;
  // Guarded by lock.
  private Duration visibilityTimeout = DEFAULT_VISIBILITY;
  private Duration delay = Duration.ZERO;
  private int maximumMessageSize = DEFAULT_MAX_MESSAGE_BYTES;
  private SimQueue deadLetterQueue;
  private int maxReceiveCount;
  private final Map<String, StoredMessage> messages = new LinkedHashMap<>();
  private final Map<String, StoredMessage> byHandle = new HashMap<>();
  private final Set<String> issuedHandles = new HashSet<>();
  private final List<SentMessage> sent = new ArrayList<>();

  SimQueue(Object lock, Clock clock, String name, String url, String arn) {
    this.lock = lock;
    this.clock = clock;
    this.name = name;
    this.url = url;
    this.arn = arn;
  }

  public String name() {
    return name;
  }

  public String url() {
    return url;
  }

  public String arn() {
    return arn;
  }

  /** The queue's default visibility timeout, used by receives that name none (SQS: 30 s). */
  public SimQueue visibilityTimeout(Duration timeout) {
    synchronized (lock) {
      visibilityTimeout = checkSeconds("VisibilityTimeout", timeout, MAX_VISIBILITY);
      return this;
    }
  }

  /** The queue's DelaySeconds, for sends that name none (SQS: 0, at most 15 minutes). */
  public SimQueue delay(Duration queueDelay) {
    synchronized (lock) {
      delay = checkSeconds("DelaySeconds", queueDelay, Duration.ofMinutes(15));
      return this;
    }
  }

  /** The queue's MaximumMessageSize in bytes: body plus every attribute's name, type and value. */
  public SimQueue maximumMessageSize(int bytes) {
    synchronized (lock) {
      if (bytes < 1024 || bytes > 1_048_576) {
        throw new IllegalArgumentException("MaximumMessageSize must be within 1024..1048576, got " + bytes);
      }
      maximumMessageSize = bytes;
      return this;
    }
  }

  /** A RedrivePolicy: a receive after {@code maxReceiveCount} receives moves the message to {@code dlq}. */
  public SimQueue redriveTo(SimQueue dlq, int maxReceive) {
    synchronized (lock) {
      if (maxReceive < 1 || maxReceive > 1000 || dlq == this) {
        throw new IllegalArgumentException("maxReceiveCount must be within 1..1000 and the DLQ another queue");
      }
      deadLetterQueue = dlq;
      maxReceiveCount = maxReceive;
      return this;
    }
  }

  /** Every message in the queue now, in send order. */
  public List<QueuedMessage> messages() {
    synchronized (lock) {
      Instant now = clock.instant();
      return messages.values().stream().map(m -> m.snapshot(url, now)).toList();
    }
  }

  public List<QueuedMessage> visible() {
    return inState(QueuedMessage.State.VISIBLE);
  }

  public List<QueuedMessage> inFlight() {
    return inState(QueuedMessage.State.IN_FLIGHT);
  }

  public List<QueuedMessage> delayed() {
    return inState(QueuedMessage.State.DELAYED);
  }

  /** Everything ever sent to this queue (not what redrive moved into it), in send order. */
  public List<SentMessage> sent() {
    synchronized (lock) {
      return List.copyOf(sent);
    }
  }

  private List<QueuedMessage> inState(QueuedMessage.State state) {
    return messages().stream().filter(m -> m.state() == state).toList();
  }

  int maximumMessageSize() {
    return maximumMessageSize;
  }

  Duration defaultDelay() {
    return delay;
  }

  Duration defaultVisibility() {
    return visibilityTimeout;
  }

  void accept(SentMessage message) {
    sent.add(message);
    messages.put(message.messageId(), new StoredMessage(message.messageId(), message.body(), message.attributes(),
        message.senderId(), message.sentAt(), message.messageGroupId(), message.sentAt().plus(message.delay())));
  }

  /**
   * Up to {@code max} visible messages, each received once more and hidden for {@code visibility}; messages due for
   * redrive go to the DLQ instead and are added to {@code moves}.
   */
  List<StoredMessage> receive(int max, Duration visibility, RandomGenerator random, Supplier<String> newHandle,
      List<RedriveMove> moves) {
    Instant now = clock.instant();
    List<StoredMessage> candidates = new ArrayList<>(messages.values().stream()
        .filter(m -> m.state(now) == QueuedMessage.State.VISIBLE).toList());
    List<StoredMessage> received = new ArrayList<>();
    for (int i = 0; i < candidates.size() && received.size() < max; i++) {
      int j = i + random.nextInt(candidates.size() - i);
      StoredMessage m = candidates.set(j, candidates.get(i));
      if (deadLetterQueue != null && m.receiveCount >= maxReceiveCount) {
        moveToDeadLetterQueue(m, now);
        moves.add(new RedriveMove(m.messageId, url, deadLetterQueue.url, now, m.receiveCount));
        continue;
      }
      if (m.receiptHandle != null) {
        byHandle.remove(m.receiptHandle);
      }
      m.receiveCount++;
      m.receiptHandle = newHandle.get();
      m.firstReceivedAt = m.firstReceivedAt == null ? now : m.firstReceivedAt;
      m.lastReceivedAt = now;
      m.visibleAt = now.plus(visibility);
      issuedHandles.add(m.receiptHandle);
      byHandle.put(m.receiptHandle, m);
      received.add(m);
    }
    return received;
  }

  private void moveToDeadLetterQueue(StoredMessage m, Instant now) {
    forget(m);
    deadLetterQueue.messages.put(m.messageId, new StoredMessage(m.messageId, m.body, m.attributes, m.senderId,
        m.sentAt, m.messageGroupId, now));
  }

  /**
   * Deletes the message this handle is the latest of. A handle this queue issued that is no longer the latest (the
   * message was received again, or deleted) fails with ReceiptHandleIsInvalid, as ElasticMQ answers, unless
   * {@code staleSucceeds}: AWS documents that such a delete "succeeds, but the message will not be deleted".
   */
  void delete(String handle, boolean staleSucceeds) {
    StoredMessage m = byHandle.get(handle);
    if (m != null) {
      forget(m);
      return;
    }
    if (!(staleSucceeds && issuedHandles.contains(handle))) {
      throw SqsErrors.receiptHandleIsInvalid(handle);
    }
  }

  /** Sets the visibility of the message this handle is the latest of; it must still be in flight. */
  void changeVisibility(String handle, int seconds) {
    StoredMessage m = byHandle.get(handle);
    if (m == null) {
      throw SqsErrors.receiptHandleIsInvalid(handle);
    }
    Instant now = clock.instant();
    if (m.state(now) != QueuedMessage.State.IN_FLIGHT) {
      throw SqsErrors.messageNotInflight();
    }
    Instant until = now.plusSeconds(seconds);
    if (seconds < 0 || until.isAfter(m.lastReceivedAt.plus(MAX_VISIBILITY))) {
      throw SqsErrors.invalidParameter("Value " + seconds + " for parameter VisibilityTimeout is invalid. Reason: "
          + "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]");
    }
    m.visibleAt = until;
  }

  private void forget(StoredMessage m) {
    messages.remove(m.messageId);
    if (m.receiptHandle != null) {
      byHandle.remove(m.receiptHandle);
    }
  }

  /** Every attribute GetQueueAttributes may answer for this queue, as SQS writes them. */
  Map<QueueAttributeName, String> attributes() {
    Instant now = clock.instant();
    Map<QueueAttributeName, String> all = new EnumMap<>(QueueAttributeName.class);
    all.put(QueueAttributeName.QUEUE_ARN, arn);
    all.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()));
    all.put(QueueAttributeName.DELAY_SECONDS, Long.toString(delay.toSeconds()));
    all.put(QueueAttributeName.MAXIMUM_MESSAGE_SIZE, Integer.toString(maximumMessageSize));
    all.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "345600");
    all.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, count(QueuedMessage.State.VISIBLE, now));
    all.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, count(QueuedMessage.State.IN_FLIGHT, now));
    all.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, count(QueuedMessage.State.DELAYED, now));
    redrivePolicy().ifPresent(p -> all.put(QueueAttributeName.REDRIVE_POLICY, p));
    return all;
  }

  /** The RedrivePolicy attribute's JSON, as SQS returns it. */
  Optional<String> redrivePolicy() {
    return deadLetterQueue == null ? Optional.empty() : Optional.of("{\"deadLetterTargetArn\":\""
        + deadLetterQueue.arn + "\",\"maxReceiveCount\":" + maxReceiveCount + "}");
  }

  private String count(QueuedMessage.State state, Instant now) {
    return Long.toString(messages.values().stream().filter(m -> m.state(now) == state).count());
  }

  private static Duration checkSeconds(String name, Duration value, Duration max) {
    if (value.isNegative() || value.compareTo(max) > 0 || value.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(name + " must be whole seconds within 0.." + max.toSeconds() + ", got "
          + value);
    }
    return value;
  }
}
