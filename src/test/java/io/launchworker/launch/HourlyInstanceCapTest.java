package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HourlyInstanceCapTest {
  private static final Instant START = Instant.parse("2026-11-29T10:20:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private HourlyInstanceCap cap(int max) {
    return cap(max, ec2, Ec2Budget.unlimited());
  }

  private HourlyInstanceCap cap(int max, Ec2Port port, Ec2Budget budget) {
    return new HourlyInstanceCap(max, port, budget, clock, new WorkerMetrics(registry));
  }

  private static List<Outcome.InstanceRef> instances(String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new Outcome.InstanceRef(id, "pending")).toList();
  }

  @Test
  void untilTheFirstCountFromEc2SucceedsTheCapIsFullAndReadinessSaysWhy() {
    HourlyInstanceCap cap = cap(10);
    ec2.failNextCounts(2);

    cap.refresh();

    assertThat(cap.hasRoomFor(1)).isFalse();
    assertThat(cap.binding()).isTrue();
    assertThat(cap.tryReserve("t1", 1)).as("its own count fails too").isNull();
    assertThat(cap.notReadyBecause()).hasValueSatisfying(why -> assertThat(why)
        .contains("not counted from EC2 yet").contains("connection reset"));
    Outcome deferred = cap.deferral(1);
    assertThat(deferred.kind()).isEqualTo(OutcomeKind.DEFERRED);
    assertThat(deferred.retryDelay()).isEqualTo(HourlyInstanceCap.REFRESH_INTERVAL);

    cap.refresh();

    assertThat(cap.notReadyBecause()).isEmpty();
    assertThat(cap.hasRoomFor(10)).isTrue();
    assertThat(registry.get(WorkerMetrics.CAP_COUNTS).tag("result", "failed").counter().count()).isEqualTo(2);
    assertThat(registry.get(WorkerMetrics.CAP_COUNTS).tag("result", "ok").counter().count()).isEqualTo(1);
  }

  @Test
  void aFullCountAsksForTheLastHourInTenMinuteSpansAndKeepsOnlyTheLastHour() {
    ec2.launchedElsewhere("old", 3, START.minus(Duration.ofMinutes(70)));
    ec2.launchedElsewhere("recent", 2, START.minus(Duration.ofMinutes(50)));
    ec2.launchedElsewhere("now", 1, START.minus(Duration.ofMinutes(5)));
    HourlyInstanceCap cap = cap(10);

    cap.refresh();

    assertThat(ec2.spansAsked()).singleElement().satisfies(spans -> assertThat(spans)
        .extracting(Ec2Port.LaunchSpan::wildcard).containsExactly("2026-11-29T09:2*", "2026-11-29T09:3*",
            "2026-11-29T09:4*", "2026-11-29T09:5*", "2026-11-29T10:0*", "2026-11-29T10:1*", "2026-11-29T10:2*"));
    assertThat(cap.usedInLastHour()).isEqualTo(3);
    clock.advance(Duration.ofMinutes(10));
    assertThat(cap.usedInLastHour()).as("the 50-minute-old launches left the window").isEqualTo(1);
  }

  @Test
  void aCountWalksEveryPageAndWaitsForTheDescribeBudgetPerPage() {
    ec2.launchedElsewhere("other", 5, START.minus(Duration.ofMinutes(1)));
    ec2.pageSize(2);
    AtomicInteger budgetWaits = new AtomicInteger();
    long[] nanos = {0};
    // Two calls' burst, then one call per second: the third page must wait for the budget.
    RateGate describe = new RateGate(2, 1.0, () -> nanos[0], (monitor, d) -> {
      budgetWaits.incrementAndGet();
      nanos[0] += d.toNanos();
    });
    HourlyInstanceCap cap = cap(10, ec2, new Ec2Budget(RateGate.system(1000, 1000), describe));

    cap.refresh();

    assertThat(ec2.countCalls).hasValue(3);
    assertThat(budgetWaits).hasPositiveValue();
    assertThat(cap.usedInLastHour()).isEqualTo(5);
  }

  @Test
  void ownLaunchesCountBeforeEc2ShowsThemAndOnceWhenItDoes() {
    HourlyInstanceCap cap = cap(10);
    cap.refresh();

    cap.tryReserve("t1", 2).launched(instances("i-a", "i-b"));
    assertThat(cap.usedInLastHour()).isEqualTo(2);
    ec2.shows("i-a", "t1", START);
    // EC2 now shows one of them (same instance IDs as the worker's own record): still two, not three.
    cap.refresh();
    assertThat(cap.usedInLastHour()).isEqualTo(2);
  }

  @Test
  void aLaunchACountSeesBeforeItsAnswerIsRecordedCountsOnce() {
    HourlyInstanceCap cap = cap(2);
    cap.refresh();
    HourlyInstanceCap.Reservation first = cap.tryReserve("t1", 1);

    // EC2 has launched it and a count shows it, while the handler has not yet recorded RunInstances' answer.
    ec2.shows("i-1", "t1", START);
    cap.refresh();

    assertThat(cap.usedInLastHour()).isEqualTo(1);
    assertThat(cap.tryReserve("t2", 1)).as("a second one still fits").isNotNull();
    first.launched(instances("i-1"));
    assertThat(cap.usedInLastHour()).isEqualTo(2);
  }

  @Test
  void aReservationCountsWhileInProgressAndAReleaseGivesItBack() {
    HourlyInstanceCap cap = cap(10);
    cap.refresh();

    HourlyInstanceCap.Reservation failed = cap.tryReserve("t1", 5);
    assertThat(cap.usedInLastHour()).isEqualTo(5);
    assertThat(cap.tryReserve("t2", 6)).isNull();
    assertThat(cap.binding()).isTrue();
    failed.release();
    assertThat(cap.usedInLastHour()).isZero();

    cap.tryReserve("t2", 5).launched(instances("i-1", "i-2"));
    ec2.shows("i-1", "t2", START);
    ec2.shows("i-2", "t2", START);

    assertThat(cap.usedInLastHour()).isEqualTo(2);
    assertThat(cap.tryReserve("t3", 8)).isNotNull();
    assertThat(cap.binding()).isFalse();
  }

  @Test
  void aLostAnswerCountsUntilACountShowsItsTokenOrTheHourEnds() {
    HourlyInstanceCap cap = cap(100);
    cap.refresh();

    cap.tryReserve("launched", 3).answerLost();
    cap.tryReserve("never", 2).answerLost();
    assertThat(cap.usedInLastHour()).isEqualTo(5);

    // The first did launch (one instance of its three); EC2 shows it under its token.
    ec2.launchedElsewhere("launched", 1, clock.instant());
    cap.refresh();
    assertThat(cap.usedInLastHour()).isEqualTo(1 + 2);

    clock.advance(Duration.ofHours(1));
    assertThat(cap.usedInLastHour()).isZero();
  }

  @Test
  void aRetryOfALostAnswersTokenHoldsItsRoomOnceAndGivesItBackToTheLostAnswerOnRelease() {
    HourlyInstanceCap cap = cap(10);
    cap.refresh();
    cap.tryReserve("t1", 2).answerLost();

    HourlyInstanceCap.Reservation retry = cap.tryReserve("t1", 2);
    assertThat(cap.usedInLastHour()).isEqualTo(2);
    retry.release();
    assertThat(cap.usedInLastHour()).as("the first attempt may still have launched").isEqualTo(2);

    cap.tryReserve("t1", 2).launched(instances("i-1", "i-2"));
    assertThat(cap.usedInLastHour()).isEqualTo(2);
  }

  @Test
  void nearTheCapAReservationCountsFirstAndSeesAnotherReplicasLaunches() {
    ec2.launchedElsewhere("other", 7, START);
    HourlyInstanceCap cap = cap(10);
    cap.refresh();
    ec2.launchedElsewhere("other-2", 3, START);

    // 7 + 1 leaves 2: not less than a tenth of the cap plus the request, so no count yet.
    HourlyInstanceCap.Reservation first = cap.tryReserve("t1", 1);
    assertThat(first).isNotNull();
    assertThat(ec2.countCalls).hasValue(1);
    first.release();
    // 7 + 2 would leave 1: count first, which shows the fleet is full.
    assertThat(cap.tryReserve("t2", 2)).isNull();
    assertThat(ec2.countCalls).hasValue(2);
    assertThat(cap.deferral(2).detail()).contains("hourly instance cap 10 reached (10 launched");
  }

  @Test
  void whileCountsFailALaunchThatNeedsOneIsRefusedAndTheWorkerStopsReceivingUntilOneSucceeds() {
    ec2.launchedElsewhere("other", 8, START);
    HourlyInstanceCap cap = cap(10);
    cap.refresh();
    assertThat(cap.hasRoomFor(1)).isTrue();
    ec2.failNextCounts(1);

    assertThat(cap.tryReserve("t1", 1)).as("near the cap: needs a count, which fails").isNull();
    assertThat(cap.hasRoomFor(1)).isFalse();
    assertThat(cap.notReadyBecause()).hasValueSatisfying(why -> assertThat(why).contains("counting from EC2 fails"));
    assertThat(cap.deferral(1).retryDelay()).isEqualTo(HourlyInstanceCap.REFRESH_INTERVAL);

    cap.refresh();

    assertThat(cap.hasRoomFor(1)).isTrue();
    assertThat(cap.notReadyBecause()).isEmpty();
    assertThat(cap.tryReserve("t1", 1)).isNotNull();
  }

  @Test
  void aWorkerLaunchesAtMostItsAllowanceBeforeCountingAgain() {
    HourlyInstanceCap cap = cap(100);
    cap.refresh();

    // Allowance: a tenth of the cap plus the request, 11 single instances uncounted by EC2.
    for (int i = 0; i < 11; i++) {
      cap.tryReserve("t" + i, 1).launched(instances("i-" + i));
      ec2.shows("i-" + i, "t" + i, START);
    }
    assertThat(ec2.countCalls).hasValue(1);
    ec2.launchedElsewhere("another-worker", 50, START);

    assertThat(cap.tryReserve("t11", 1)).isNotNull();
    assertThat(ec2.countCalls).hasValue(2);
    assertThat(cap.usedInLastHour()).as("50 of the other worker's, 11 own, 1 reserved").isEqualTo(62);
  }

  @Test
  void aFullCapDefersUntilTheOldestLaunchLeavesTheHour() {
    ec2.launchedElsewhere("a", 4, START.minus(Duration.ofMinutes(50)));
    ec2.launchedElsewhere("b", 6, START.minus(Duration.ofMinutes(10)));
    HourlyInstanceCap cap = cap(10);
    cap.refresh();

    assertThat(cap.tryReserve("t", 3)).isNull();

    assertThat(cap.deferral(3).retryDelay()).isEqualTo(Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(10));
    assertThat(cap.hasRoomFor(4)).isTrue();
  }

  @Test
  void concurrentHandlersNearTheCapShareACount() throws Exception {
    ec2.launchedElsewhere("other", 8, START);
    CountDownLatch countBlocked = new CountDownLatch(1);
    CountDownLatch releaseCount = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Ec2Port slowCounts = new io.launchworker.testing.ForwardingEc2Port(ec2) {
      @Override
      public TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans, java.util.Optional<String> pageToken) {
        if (calls.incrementAndGet() == 2) {
          countBlocked.countDown();
          try {
            releaseCount.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return ec2.findTaggedLaunches(spans, pageToken);
      }
    };
    HourlyInstanceCap cap = cap(10, slowCounts, Ec2Budget.unlimited());
    cap.refresh();

    List<Thread> handlers = new ArrayList<>();
    AtomicInteger reserved = new AtomicInteger();
    for (int i = 0; i < 6; i++) {
      String token = "t" + i;
      handlers.add(new Thread(() -> {
        if (cap.tryReserve(token, 1) != null) {
          reserved.incrementAndGet();
        }
      }));
    }
    handlers.get(0).start();
    countBlocked.await();
    handlers.subList(1, handlers.size()).forEach(Thread::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> handlers.stream().skip(1)
        .allMatch(t -> t.getState() == Thread.State.WAITING));
    releaseCount.countDown();
    for (Thread t : handlers) {
      t.join(10_000);
    }

    // The start-up count, the first handler's, and one that started after the other five asked, shared by them.
    assertThat(calls).hasValue(3);
    assertThat(reserved).as("room for two").hasValue(2);
  }
}
