package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.message.InFlightMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * At most max-in-flight pieces of work run; what is handed over beyond that waits, received ahead, and a handler that
 * finishes starts it at once. Work that never started, when refused, stopped or out of grace, gives its messages
 * back to SQS instead of dropping them.
 */
class HandlerPoolTest {
  private final List<String> released = new CopyOnWriteArrayList<>();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final RecordingExecutor executor = new RecordingExecutor();

  private HandlerPool pool(int slots) {
    return new HandlerPool(executor, slots, m -> released.add(m.messageId()));
  }

  private void submit(HandlerPool pool, String id) {
    pool.submit(List.of(message(id)), () -> ran.add(id));
  }

  @Test
  void atMostTheSlotsRunAtOnceAndTheRestWaitReceivedAhead() {
    HandlerPool pool = pool(2);

    submit(pool, "m-1");
    submit(pool, "m-2");
    submit(pool, "m-3");

    assertThat(executor.queued()).isEqualTo(2);
    assertThat(pool.waitingMessages()).isEqualTo(1);
  }

  @Test
  void aHandlerThatFinishesStartsTheOldestWaitingMessageWithoutAWordFromThePoller() {
    HandlerPool pool = pool(1);
    submit(pool, "m-1");
    submit(pool, "m-2");
    submit(pool, "m-3");

    executor.runNext();

    assertThat(ran).containsExactly("m-1");
    assertThat(executor.queued()).as("m-2 handed over by m-1's handler").isEqualTo(1);
    assertThat(pool.waitingMessages()).isEqualTo(1);
    executor.runNext();
    executor.runNext();
    assertThat(ran).containsExactly("m-1", "m-2", "m-3");
    assertThat(pool.waitingMessages()).isZero();
    assertThat(executor.queued()).isZero();
  }

  @Test
  void aSlotFreedWithNothingWaitingIsFreeForTheNextHandOver() {
    HandlerPool pool = pool(1);
    submit(pool, "m-1");
    executor.runNext();

    submit(pool, "m-2");

    assertThat(executor.queued()).as("started at once, not kept waiting").isEqualTo(1);
    assertThat(pool.waitingMessages()).isZero();
  }

  @Test
  void aHandlerThatFailsStillHandsItsSlotOver() {
    HandlerPool pool = pool(1);
    pool.submit(List.of(message("m-1")), () -> {
      throw new IllegalStateException("a bug");
    });
    submit(pool, "m-2");

    assertThatThrownBy(executor::runNext).isInstanceOf(IllegalStateException.class);

    assertThat(executor.queued()).isEqualTo(1);
    executor.runNext();
    assertThat(ran).containsExactly("m-2");
  }

  @Test
  void messagesReceivedAheadAreReleasedAtOnceWhenTheWorkerStopsAndNeverStart() {
    HandlerPool pool = pool(1);
    submit(pool, "running");
    pool.submit(List.of(message("ahead-1"), message("ahead-2")), () -> ran.add("ahead"));

    int count = pool.releaseWaiting();
    submit(pool, "late");
    executor.runNext();

    assertThat(count).isEqualTo(2);
    assertThat(released).containsExactly("ahead-1", "ahead-2", "late");
    assertThat(ran).containsExactly("running");
    assertThat(executor.queued()).as("the freed slot starts nothing").isZero();
    assertThat(pool.waitingMessages()).isZero();
  }

  @Test
  void aWaitingMessageWhoseSlotTheShutDownExecutorRefusesIsReleased() {
    HandlerPool pool = pool(1);
    submit(pool, "running");
    submit(pool, "waiting");

    pool.shutdown();
    executor.runNext();

    assertThat(released).containsExactly("waiting");
    assertThat(pool.waitingMessages()).isZero();
  }

  @Test
  void workStillQueuedAtShutdownReleasesItsMessages() throws Exception {
    HandlerPool pool = new HandlerPool(Executors.newSingleThreadExecutor(), 2, m -> released.add(m.messageId()));
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    pool.submit(List.of(message("busy")), () -> {
      running.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    // Two slots on one thread: the executor queues this one, it does not wait in the pool.
    pool.submit(List.of(message("queued-1"), message("queued-2")), () -> released.add("ran"));
    pool.submit(List.of(message("waiting")), () -> released.add("ran"));

    pool.shutdown();
    assertThat(pool.awaitTermination(10)).isFalse();
    int count = pool.shutdownNowReleasingQueued();

    assertThat(count).isEqualTo(3);
    assertThat(released).containsExactlyInAnyOrder("queued-1", "queued-2", "waiting");
  }

  @Test
  void workThePoolRefusesReleasesItsMessagesAtOnce() {
    HandlerPool pool = pool(1);
    pool.shutdown();

    submit(pool, "late");

    assertThat(released).containsExactly("late");
    assertThat(ran).isEmpty();
  }

  private static InFlightMessage message(String id) {
    Instant now = Instant.parse("2026-11-30T12:00:00Z");
    return new InFlightMessage(id, "h-" + id, "{}", 1, now, now, now.plusSeconds(60), Map.of(), Optional.empty());
  }
}
