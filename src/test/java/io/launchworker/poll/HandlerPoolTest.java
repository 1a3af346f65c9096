package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Work that never started when the grace ran out gives its messages back to SQS instead of dropping them. */
class HandlerPoolTest {
  private final List<String> released = new CopyOnWriteArrayList<>();

  @Test
  void workStillQueuedAtShutdownReleasesItsMessages() throws Exception {
    HandlerPool pool = new HandlerPool(Executors.newSingleThreadExecutor(), m -> released.add(m.messageId()));
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
    pool.submit(List.of(message("queued-1"), message("queued-2")), () -> released.add("ran"));

    pool.shutdown();
    assertThat(pool.awaitTermination(10)).isFalse();
    int count = pool.shutdownNowReleasingQueued();

    assertThat(count).isEqualTo(2);
    assertThat(released).containsExactly("queued-1", "queued-2");
  }

  @Test
  void workThePoolRefusesReleasesItsMessagesAtOnce() {
    HandlerPool pool = new HandlerPool(Executors.newSingleThreadExecutor(), m -> released.add(m.messageId()));
    pool.shutdown();

    pool.submit(List.of(message("late")), () -> released.add("ran"));

    assertThat(released).containsExactly("late");
  }

  private static InFlightMessage message(String id) {
    Instant now = Instant.parse("2026-11-30T12:00:00Z");
    return new InFlightMessage(id, "h-" + id, "{}", 1, now, now, now.plusSeconds(60), Map.of(), Optional.empty());
  }
}
