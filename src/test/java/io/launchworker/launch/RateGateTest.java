package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateGateTest {
  /** A clock that only moves when the gate "sleeps", recording each sleep. */
  private final AtomicLong now = new AtomicLong();
  private final List<Duration> sleeps = new ArrayList<>();
  private final RateGate.Sleeper sleeper = (monitor, d) -> {
    sleeps.add(d);
    now.addAndGet(d.toNanos());
  };
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stopCallers() {
    callers.shutdownNow();
  }

  @Test
  void burstPassesAtOnceThenCallsArePacedAtTheRefillRate() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);

    for (int i = 0; i < 5; i++) {
      assertThat(gate.acquire(() -> false)).isTrue();
    }
    assertThat(sleeps).isEmpty();
    for (int i = 0; i < 4; i++) {
      assertThat(gate.acquire(() -> false)).isTrue();
    }

    assertThat(Duration.ofNanos(now.get())).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aThrottleHalvesTheRateAndEmptiesTheBucket() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);

    gate.throttled();

    assertThat(gate.currentRate()).isEqualTo(1.0);
    assertThat(gate.acquire(() -> false)).isTrue();
    assertThat(Duration.ofNanos(now.get())).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void successesClimbBackToTheConfiguredRateButNotAbove() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);
    gate.throttled();
    gate.throttled();
    assertThat(gate.currentRate()).isEqualTo(0.5);

    for (int i = 0; i < 100; i++) {
      gate.succeeded();
    }

    assertThat(gate.currentRate()).isEqualTo(2.0);
  }

  @Test
  void theRateNeverFallsBelowOneSixteenthOfTheConfiguredRate() {
    RateGate gate = new RateGate(5, 16.0, now::get, sleeper);

    for (int i = 0; i < 20; i++) {
      gate.throttled();
    }

    assertThat(gate.currentRate()).isEqualTo(1.0);
  }

  @Test
  void aStoppingWorkerGivesUpWaitingWithoutTakingAToken() {
    RateGate gate = new RateGate(1, 0.001, now::get, sleeper);
    assertThat(gate.acquire(() -> false)).isTrue();

    boolean[] stopping = {false};
    RateGate.Sleeper stopAfterFirstSleep = (monitor, d) -> stopping[0] = true;
    RateGate waiting = new RateGate(1, 0.001, now::get, stopAfterFirstSleep);
    waiting.acquire(() -> false);

    assertThat(waiting.acquire(() -> stopping[0])).isFalse();
  }

  @Test
  void aWaitIsOneSleepUntilTheTokenIsDueNotAPollEveryFewMilliseconds() {
    RateGate gate = new RateGate(1, 0.5, now::get, sleeper);
    gate.acquire(() -> false);

    assertThat(gate.acquire(() -> false)).isTrue();

    assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void callersInLineEachWaitOnceForTheirOwnTokenAndAreServedInTurn() throws Exception {
    List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    // Sleeps until woken: the test moves the clock and wakes the waiters itself.
    RateGate gate = new RateGate(1, 1.0, now::get, (monitor, d) -> {
      waits.add(d);
      monitor.wait();
    });
    gate.acquire(() -> false);
    List<Future<Boolean>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(callers.submit(() -> gate.acquire(() -> false)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> waits.size() == 3);

    assertThat(waits).containsExactlyInAnyOrder(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));

    // One second at a time: each second lets exactly one more caller through.
    for (int second = 1; second <= 3; second++) {
      now.addAndGet(Duration.ofSeconds(1).toNanos());
      gate.wakeWaiters();
      int through = second;
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.stream().filter(Future::isDone).count() == through);
    }
    for (Future<Boolean> call : calls) {
      assertThat(call.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void stoppingWakesACallerWaitingForADistantTokenAtOnce() throws Exception {
    CountDownLatch waitingStarted = new CountDownLatch(1);
    // The system gate's own wait, on the real clock, noting when it begins.
    RateGate gate = new RateGate(1, 0.001, System::nanoTime, (monitor, d) -> {
      waitingStarted.countDown();
      TimeUnit.NANOSECONDS.timedWait(monitor, d.toNanos());
    });
    gate.acquire(() -> false);
    AtomicBoolean stopping = new AtomicBoolean();
    Future<Boolean> waiting = callers.submit(() -> gate.acquire(stopping::get));
    assertThat(waitingStarted.await(10, TimeUnit.SECONDS)).isTrue();

    // The next token is 1,000 s away; the caller gives up as soon as it is told the worker stops.
    stopping.set(true);
    gate.wakeWaiters();

    assertThat(waiting.get(10, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void anInterruptedCallerGivesUpKeepingTheFlagAndTheNextCallerTakesItsPlace() {
    RateGate gate = new RateGate(1, 1.0, now::get, (monitor, d) -> {
      throw new InterruptedException();
    });
    gate.acquire(() -> false);

    assertThat(gate.acquire(() -> false)).isFalse();
    assertThat(Thread.interrupted()).isTrue();

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(gate.acquire(() -> false)).as("the token the interrupted caller did not take").isTrue();
  }
}
