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
  void aFixedGateKeepsItsRateWhateverEc2Answers() {
    RateGate gate = new RateGate(5, 2.0, now::get, sleeper);

    gate.throttled(now.get());
    gate.succeeded();

    assertThat(gate.currentRate()).isEqualTo(2.0);
    assertThat(gate.currentBurst()).isEqualTo(5);
    assertThat(gate.acquire(() -> false)).isTrue();
    assertThat(Duration.ofNanos(now.get())).as("the throttle emptied the bucket").isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void anAdaptiveGateStartsAtAQuarterOfItsCeilingWithAQuarterOfItsBurstAndDoublesAsCallsSucceed() {
    RateGate gate = RateGate.adaptive(10, 2.0, now::get, sleeper);
    assertThat(gate.currentRate()).isEqualTo(0.5);
    assertThat(gate.currentBurst()).isEqualTo(2);

    succeedFor(gate, Duration.ofSeconds(4));
    assertThat(gate.currentRate()).as("doubled after 4 s of use").isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.1));
    succeedFor(gate, Duration.ofSeconds(4));

    assertThat(gate.currentRate()).isEqualTo(2.0);
    assertThat(gate.currentBurst()).isEqualTo(10);
    assertThat(gate.ceilingRate()).isEqualTo(2.0);
  }

  @Test
  void aThrottleLowersTheRateShrinksTheBurstAndEmptiesTheBucket() {
    RateGate gate = RateGate.adaptive(10, 2.0, now::get, sleeper);
    succeedFor(gate, Duration.ofSeconds(8));

    gate.throttled(now.get());

    assertThat(gate.currentRate()).as("70 %").isCloseTo(1.4, within());
    assertThat(gate.currentBurst()).isEqualTo(7);
    long before = now.get();
    assertThat(gate.acquire(() -> false)).isTrue();
    assertThat(Duration.ofNanos(now.get() - before)).isEqualTo(Duration.ofNanos(Math.round(1e9 / 1.4)));

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    gate.throttled(now.get());
    assertThat(gate.currentRate()).isCloseTo(0.98, within());
    assertThat(gate.currentBurst()).isEqualTo(4);
  }

  @Test
  void aThrottleOfACallSentBeforeTheLastDecreaseChangesNothing() {
    RateGate gate = RateGate.adaptive(5, 2.0, now::get, sleeper);
    long sentTogether = now.get();
    now.addAndGet(1_000_000);

    gate.throttled(sentTogether);
    gate.throttled(sentTogether);
    gate.throttled(sentTogether);

    assertThat(gate.currentRate()).as("three calls in flight together are one signal").isCloseTo(0.35, within());
    now.addAndGet(1_000_000);
    gate.throttled(now.get() - 1);
    assertThat(gate.currentRate()).as("a call sent after the decrease").isCloseTo(0.245, within());
  }

  @Test
  void theRateNeverFallsBelowOneThirtySecondOfTheCeilingAndTheBurstBelowOne() {
    RateGate gate = RateGate.adaptive(5, 16.0, now::get, sleeper);

    for (int i = 0; i < 40; i++) {
      now.addAndGet(1_000);
      gate.throttled(now.get());
    }

    assertThat(gate.currentRate()).isEqualTo(0.5);
    assertThat(gate.currentBurst()).isEqualTo(1);
  }

  @Test
  void afterAThrottleTheRateCreepsBackThenSpeedsUpToTheCeiling() {
    RateGate gate = RateGate.adaptive(5, 2.0, now::get, sleeper);
    gate.throttled(now.get());
    double afterThrottle = gate.currentRate();

    succeedFor(gate, Duration.ofSeconds(30));
    double after30s = gate.currentRate();
    succeedFor(gate, Duration.ofSeconds(150));
    double after180s = gate.currentRate();

    assertThat(after30s - afterThrottle).as("near the throttled rate it creeps").isLessThan(0.02);
    assertThat(after180s - after30s).as("left alone it speeds up").isGreaterThan(10 * (after30s - afterThrottle));
    succeedFor(gate, Duration.ofSeconds(120));
    assertThat(gate.currentRate()).isEqualTo(2.0);
  }

  @Test
  void timeWithoutCallsDoesNotRaiseTheRate() {
    RateGate gate = RateGate.adaptive(5, 2.0, now::get, sleeper);
    gate.throttled(now.get());
    double afterThrottle = gate.currentRate();

    now.addAndGet(Duration.ofHours(1).toNanos());
    gate.succeeded();

    assertThat(gate.currentRate()).as("an idle hour counts as two token intervals")
        .isCloseTo(afterThrottle, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void roomIsWhatTheCurrentRateLaunchesWithinTheHorizonLessWhatIsInHandButOneAtLeast() {
    RateGate gate = RateGate.adaptive(5, 2.0, now::get, sleeper);
    assertThat(gate.room(0, Duration.ofSeconds(10))).as("a quarter of 2/s for 10 s").isEqualTo(5);
    assertThat(gate.room(4, Duration.ofSeconds(10))).isEqualTo(1);
    assertThat(gate.room(7, Duration.ofSeconds(10))).isZero();

    for (int i = 0; i < 10; i++) {
      now.addAndGet(1_000);
      gate.throttled(now.get());
    }

    assertThat(gate.room(0, Duration.ofSeconds(10))).as("even at the floor").isEqualTo(1);
    assertThat(new RateGate(5, 2.0, now::get, sleeper).room(3, Duration.ofSeconds(10)))
        .as("a fixed gate leaves it to max-in-flight").isEqualTo(Integer.MAX_VALUE);
  }

  /** Calls succeed at the gate's own rate for {@code duration} of the fake clock. */
  private void succeedFor(RateGate gate, Duration duration) {
    long end = now.get() + duration.toNanos();
    while (now.get() < end) {
      now.addAndGet(Math.round(1e9 / gate.currentRate()));
      gate.succeeded();
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
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
