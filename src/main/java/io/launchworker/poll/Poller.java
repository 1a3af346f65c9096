package io.launchworker.poll;

import io.launchworker.launch.AccountFaultPause;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The receive loop. Runs on the single {@code sqs-poller} thread. Before each long poll it takes as many
 * permits as there is free capacity (at least one, at most 10), asks SQS for that many messages, gives back the
 * permits it did not use, and hands the batch's new messages, each with its permit, to {@code dispatch}.
 * Whoever runs a message releases its permit. On receive errors it backs off (doubling up to a cap) and logs once per change
 * of state. {@link #stop()} ends the receive in progress at once (see {@code ReceiveClient}); messages a receive
 * brings after the stop are given to {@code release} instead. Reports each receive attempt and each wait on purpose
 * (permits, the hourly cap, an account fault's pause, a back-off) to {@link Liveness}, so a loop stuck anywhere else
 * fails liveness.
 */
final class Poller implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);
  /** SQS returns at most 10 messages per receive. */
  private static final int MAX_PER_RECEIVE = 10;
  /** How often a back-off pause looks whether the worker is stopping. */
  private static final Duration STOP_CHECK = Duration.ofMillis(100);
  /** How often an account fault's pause is looked at again: its probes are seconds apart. */
  private static final Duration PAUSE_RECHECK = Duration.ofSeconds(1);
  /**
   * How often an hourly cap without room is looked at again. At start-up it has no room until its first count
   * from EC2 lands, a call's time later: looking once a second left every permit idle for up to a second after
   * it (measured: the first receive came 1.01 s after the start, every run). Looking costs a binary search under
   * the cap's monitor, nothing remote.
   */
  private static final Duration ROOM_RECHECK = STOP_CHECK;
  /** How often a full EC2 budget is looked at again: a handler finishes about every token interval. */
  private static final Duration BUDGET_RECHECK = Duration.ofMillis(100);

  private final SqsClient sqs;
  private final Runnable endReceive;
  private final String queueUrl;
  private final Semaphore permits;
  private final InFlightRegistry registry;
  private final Consumer<List<InFlightMessage>> dispatch;
  private final Consumer<InFlightMessage> release;
  private final Duration waitTime;
  private final Duration visibility;
  private final Duration errorBackoff;
  private final Duration errorBackoffMax;
  private final Clock clock;
  private final Sleeper sleeper;
  private final WorkerMetrics metrics;
  private final Readiness readiness;
  private final java.util.function.BooleanSupplier launchRoom;
  private final AccountFaultPause accountPause;
  private final Liveness liveness;
  /** How many more messages the worker can start launching soon within its EC2 budget ({@link #budgetRoom}). */
  private volatile java.util.function.IntSupplier budgetRoom = () -> Integer.MAX_VALUE;
  private volatile boolean stopping;

  /** Pauses the poller thread; injected so tests of the loop need not wait. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** @param endReceive ends the receive in progress on {@code sqs} at once (and every later one) */
  Poller(SqsClient sqs, Runnable endReceive, String queueUrl, Semaphore permits, InFlightRegistry registry,
      Consumer<List<InFlightMessage>> dispatch, Consumer<InFlightMessage> release, Duration waitTime,
      Duration visibility,
      Duration errorBackoff, Duration errorBackoffMax, Clock clock, Sleeper sleeper, WorkerMetrics metrics,
      Readiness readiness, java.util.function.BooleanSupplier launchRoom, AccountFaultPause accountPause,
      Liveness liveness) {
    this.sqs = sqs;
    this.endReceive = endReceive;
    this.queueUrl = queueUrl;
    this.permits = permits;
    this.registry = registry;
    this.dispatch = dispatch;
    this.release = release;
    this.waitTime = waitTime;
    this.visibility = visibility;
    this.errorBackoff = errorBackoff;
    this.errorBackoffMax = errorBackoffMax;
    this.clock = clock;
    this.sleeper = sleeper;
    this.metrics = metrics;
    this.readiness = readiness;
    this.launchRoom = launchRoom;
    this.accountPause = accountPause;
    this.liveness = liveness;
  }

  /**
   * Receives no more messages than {@code room} says the worker can start launching soon: a replica whose share of
   * EC2's budget is small holds few messages, and the rest stay on the queue for replicas with room, instead of
   * waiting in its handlers for tokens while other replicas run dry at the end of a backlog. Set before
   * {@link #run()}; at least one message is always allowed when a permit is free.
   */
  void limitToBudget(java.util.function.IntSupplier room) {
    this.budgetRoom = room;
  }

  void stop() {
    stopping = true;
    endReceive.run();
  }

  @Override
  public void run() {
    Duration backoff = errorBackoff;
    boolean failing = false;
    liveness.resumed();
    while (!stopping) {
      int taken;
      try {
        taken = takePermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        // After the permits: a launch that was still running has settled into the cap by now.
        awaitLaunchRoom();
        int allowed = awaitAccountProbe(taken);
        permits.release(taken - allowed);
        taken = allowed;
      } catch (InterruptedException e) {
        permits.release(taken);
        Thread.currentThread().interrupt();
        return;
      }
      if (stopping) {
        permits.release(taken);
        return;
      }
      if (!receiveAndDispatch(taken, failing)) {
        failing = true;
        liveness.waiting(Liveness.Wait.RECEIVE_BACKOFF);
        try {
          pause(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        } finally {
          liveness.resumed();
        }
        backoff = backoff.multipliedBy(2).compareTo(errorBackoffMax) > 0 ? errorBackoffMax : backoff.multipliedBy(2);
        continue;
      }
      failing = false;
      backoff = errorBackoff;
    }
  }

  /**
   * One receive without waiting for anything, for a simulation that drives the worker on its own clock: takes the
   * free permits (none free: false), gives them all back when the hourly cap is full or a pause allows no receive,
   * else receives and dispatches as {@link #run()} does. Returns whether it received.
   */
  boolean pollOnce() {
    int room = Math.min(MAX_PER_RECEIVE, budgetRoom.getAsInt());
    if (room <= 0 || !permits.tryAcquire()) {
      return false;
    }
    int taken = 1;
    while (taken < room && permits.tryAcquire()) {
      taken++;
    }
    if (!launchRoom.getAsBoolean()) {
      permits.release(taken);
      return false;
    }
    int allowed = accountPause.receiveLimit().map(l -> Math.min(l, MAX_PER_RECEIVE)).orElse(MAX_PER_RECEIVE);
    int using = Math.min(allowed, taken);
    permits.release(taken - using);
    if (using == 0) {
      return false;
    }
    return receiveAndDispatch(using, false);
  }

  /**
   * Receives with {@code taken} permits, gives back the unused ones and dispatches the new messages. False when the
   * receive failed: counted, reported to readiness (logged when {@code failing} was not already the state) and
   * every permit given back.
   */
  private boolean receiveAndDispatch(int taken, boolean failing) {
    Instant before = clock.instant();
    liveness.attempting();
    List<Message> messages;
    try {
      messages = receive(taken);
    } catch (RuntimeException e) {
      permits.release(taken);
      if (stopping) {
        return true; // the stop ended the receive: not an SQS failure
      }
      metrics.receiveError();
      readiness.receiveFailed(e.toString());
      if (!failing) {
        log.warn("receiving from {} failed, backing off: {}", queueUrl, e.toString());
      }
      return false;
    }
    if (failing) {
      log.info("receiving from {} works again", queueUrl);
    }
    readiness.receiveSucceeded(clock.instant());
    permits.release(taken - messages.size());
    metrics.received(messages.size());
    List<InFlightMessage> batch = new ArrayList<>(messages.size());
    for (Message message : messages) {
      try {
        accept(toInFlight(message, before), batch);
      } catch (RuntimeException e) {
        // A bug, not SQS: the message comes back after its visibility timeout; its permit must not leak.
        log.error("could not take message {} in hand; it will be redelivered", message.messageId(), e);
        permits.release();
      }
    }
    if (!batch.isEmpty()) {
      dispatch.accept(batch);
    }
    return true;
  }

  /**
   * While the hourly instance cap is full, receives nothing: the messages wait on the queue untouched instead of
   * being received and deferred again and again (every receive counts towards the queue's maxReceiveCount).
   * Counts as busy, not broken, for readiness.
   */
  private void awaitLaunchRoom() throws InterruptedException {
    if (launchRoom.getAsBoolean()) {
      return;
    }
    readiness.atCapacity(true);
    liveness.waiting(Liveness.Wait.HOURLY_CAP);
    try {
      while (!stopping && !launchRoom.getAsBoolean()) {
        pause(ROOM_RECHECK);
      }
    } finally {
      liveness.resumed();
      readiness.atCapacity(false);
    }
  }

  /**
   * While launches are paused for an account fault, receives nothing until a probe is due, then a single message:
   * one probe launch per back-off period, and the backlog's receive counts do not grow (readiness reads the pause
   * itself). Returns how many of the {@code taken} permits the receive may use.
   */
  private int awaitAccountProbe(int taken) throws InterruptedException {
    Optional<Integer> limit = accountPause.receiveLimit();
    if (!stopping && limit.isPresent() && limit.get() == 0) {
      liveness.waiting(Liveness.Wait.ACCOUNT_PAUSE);
      try {
        while (!stopping && limit.isPresent() && limit.get() == 0) {
          pause(PAUSE_RECHECK);
          limit = accountPause.receiveLimit();
        }
      } finally {
        liveness.resumed();
      }
    }
    return limit.map(l -> Math.min(l, taken)).orElse(taken);
  }

  /** Waits out a back-off in short slices, so a stop during an SQS outage is not held up by it. */
  private void pause(Duration backoff) throws InterruptedException {
    Duration left = backoff;
    while (!stopping && !left.isNegative() && !left.isZero()) {
      Duration slice = left.compareTo(STOP_CHECK) < 0 ? left : STOP_CHECK;
      sleeper.sleep(slice);
      left = left.minus(slice);
    }
  }

  /** Blocks for one permit, then takes whatever more is free, up to one receive's worth. */
  private int takePermits() throws InterruptedException {
    awaitBudgetRoom();
    if (!permits.tryAcquire()) {
      readiness.atCapacity(true);
      liveness.waiting(Liveness.Wait.PERMITS);
      try {
        permits.acquire();
      } finally {
        liveness.resumed();
        readiness.atCapacity(false);
      }
    }
    int room = Math.max(1, Math.min(MAX_PER_RECEIVE, budgetRoom.getAsInt()));
    int taken = 1;
    while (taken < room && permits.tryAcquire()) {
      taken++;
    }
    return taken;
  }

  /**
   * While the messages in hand already fill what the EC2 budget can launch soon, receives nothing: busy, not
   * broken (as when every permit is taken). Handlers finishing make room.
   */
  private void awaitBudgetRoom() throws InterruptedException {
    if (budgetRoom.getAsInt() > 0) {
      return;
    }
    readiness.atCapacity(true);
    liveness.waiting(Liveness.Wait.PERMITS);
    try {
      while (!stopping && budgetRoom.getAsInt() <= 0) {
        pause(BUDGET_RECHECK);
      }
    } finally {
      liveness.resumed();
      readiness.atCapacity(false);
    }
  }

  private List<Message> receive(int max) {
    ReceiveMessageResponse response = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(max)
        .waitTimeSeconds((int) waitTime.toSeconds())
        .visibilityTimeout((int) visibility.toSeconds())
        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
            MessageSystemAttributeName.SENT_TIMESTAMP, MessageSystemAttributeName.MESSAGE_GROUP_ID,
            MessageSystemAttributeName.SENDER_ID)
        .messageAttributeNames("All"));
    return response.messages();
  }

  private void accept(InFlightMessage message, List<InFlightMessage> batch) {
    metrics.messageAge(Duration.between(message.sentAt(), message.receivedAt()));
    Optional<InFlightMessage> already = registry.register(message);
    if (already.isPresent()) {
      // SQS handed out a message we are still working on; the running handler now holds the newest handle.
      permits.release();
      return;
    }
    if (stopping) {
      release.accept(message);
      return;
    }
    batch.add(message);
  }

  private InFlightMessage toInFlight(Message m, Instant requestedAt) {
    Map<MessageSystemAttributeName, String> system = m.attributes();
    int receiveCount = parseInt(system.get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT), 1);
    long sent = parseLong(system.get(MessageSystemAttributeName.SENT_TIMESTAMP), requestedAt.toEpochMilli());
    Map<String, String> attributes = new HashMap<>();
    for (Map.Entry<String, MessageAttributeValue> e : m.messageAttributes().entrySet()) {
      if (e.getValue().stringValue() != null) {
        attributes.put(e.getKey(), e.getValue().stringValue());
      }
    }
    return new InFlightMessage(m.messageId(), m.receiptHandle(), m.body(), receiveCount,
        Instant.ofEpochMilli(sent), clock.instant(), requestedAt.plus(visibility), attributes,
        Optional.ofNullable(system.get(MessageSystemAttributeName.MESSAGE_GROUP_ID)),
        Optional.ofNullable(system.get(MessageSystemAttributeName.SENDER_ID)));
  }

  private static int parseInt(String s, int fallback) {
    try {
      return s == null ? fallback : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
