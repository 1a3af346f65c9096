package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.Outcome;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the hourly cap's count costs what changed, not what exists. Between full recounts a count asks only for
 * the latest minutes and adds what it finds; what it knows must agree with a full recount (a restarted worker's
 * first count) across the hour's edge, lost answers and reads that lag.
 */
class IncrementalCapCountTest {
  private static final Instant START = Instant.parse("2026-11-29T10:20:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private HourlyInstanceCap cap() {
    return new HourlyInstanceCap(1_000_000, ec2, Ec2Budget.unlimited(), clock, new WorkerMetrics(registry));
  }

  /** What a worker started now would count: one full count. */
  private long fullRecount() {
    HourlyInstanceCap restarted = cap();
    restarted.refresh();
    return restarted.usedInLastHour();
  }

  @Test
  void withTwentyThousandInstancesInTheHourACountBetweenFullRecountsIsOnePageOfTheLatestMinutes() {
    ec2.pageSize(1000);
    for (int i = 0; i < 20_000; i++) {
      ec2.launchedElsewhere("other-" + i, 1, START.minusMillis(1 + (i * 179L) % 3_590_000));
    }
    HourlyInstanceCap cap = cap();
    cap.refresh();
    int fullCountPages = ec2.countCalls.get();

    clock.advance(HourlyInstanceCap.REFRESH_INTERVAL);
    ec2.launchedElsewhere("new", 5, clock.instant());
    cap.refresh();

    assertThat(fullCountPages).isEqualTo(20);
    assertThat(ec2.countCalls.get() - fullCountPages).as("pages of the incremental count").isEqualTo(1);
    assertThat(ec2.spansAsked().get(1)).extracting(Ec2Port.LaunchSpan::wildcard)
        .containsExactly("2026-11-29T10:18*", "2026-11-29T10:19*", "2026-11-29T10:20*");
    assertThat(cap.usedInLastHour()).isEqualTo(20_005).isEqualTo(fullRecount());
  }

  @Test
  void aFullRecountRunsFirstAndThenEveryTenMinutes() {
    HourlyInstanceCap cap = cap();
    for (Duration elapsed = Duration.ZERO; elapsed.compareTo(Duration.ofMinutes(25)) <= 0;
        elapsed = elapsed.plus(HourlyInstanceCap.REFRESH_INTERVAL)) {
      cap.refresh();
      clock.advance(HourlyInstanceCap.REFRESH_INTERVAL);
    }

    List<Boolean> full = ec2.spansAsked().stream()
        .map(spans -> spans.get(0).length() == Ec2Port.LaunchSpan.Length.TEN_MINUTES).toList();
    assertThat(full).hasSize(151);
    assertThat(java.util.stream.IntStream.range(0, full.size()).filter(full::get).boxed().toList())
        .as("counts that were full: at 0, 10 and 20 minutes").containsExactly(0, 60, 120);
  }

  @Test
  void incrementalCountsAgreeWithAFullRecountAcrossTheHoursEdgeLostAnswersAndLaggingReads() {
    SplittableRandom random = new SplittableRandom(21);
    HourlyInstanceCap cap = cap();
    cap.refresh();
    long lostNeverLaunched = 0;
    List<Instant> lostAt = new java.util.ArrayList<>();
    int token = 0;
    // Two hours in steps of the refresh interval: across 11:00 and 12:00, launches leaving the hour all the while.
    for (int step = 0; step < 720; step++) {
      clock.advance(HourlyInstanceCap.REFRESH_INTERVAL);
      Instant now = clock.instant();
      // Other replicas' launches; one in four shows late, up to the look-back.
      for (int i = random.nextInt(4); i > 0; i--) {
        Duration lag = random.nextInt(4) == 0 ? Duration.ofSeconds(random.nextInt(100)) : Duration.ZERO;
        ec2.shows("i-other-" + (++token), "other-" + token, now.minus(lag));
      }
      // This worker's own launches: most answered, some answers lost (half of those launched, shown later).
      if (random.nextInt(3) == 0) {
        HourlyInstanceCap.Reservation reservation = cap.tryReserve("own-" + (++token), 1);
        if (random.nextInt(5) > 0) {
          reservation.launched(List.of(new Outcome.InstanceRef("i-own-" + token, "pending")));
          ec2.shows("i-own-" + token, "own-" + token, now);
        } else {
          reservation.answerLost();
          if (random.nextBoolean()) {
            ec2.shows("i-lost-" + token, "own-" + token, now);
          } else {
            lostAt.add(now);
          }
        }
      }
      cap.refresh();
      lostNeverLaunched = lostAt.stream().filter(at -> at.isAfter(now.minus(Duration.ofHours(1)))).count();

      assertThat(cap.usedInLastHour()).as("at %s", now).isEqualTo(fullRecount() + lostNeverLaunched);
    }
    assertThat(lostNeverLaunched).as("lost answers that never launched are counted until the hour ends").isPositive();
  }

  @Test
  void aLaunchEc2ShowsLaterThanTheLookBackIsCountedByTheNextFullRecount() {
    HourlyInstanceCap cap = cap();
    cap.refresh();
    clock.advance(Duration.ofMinutes(5));
    cap.refresh();

    ec2.shows("i-late", "late", clock.instant().minus(Duration.ofMinutes(4)));
    clock.advance(HourlyInstanceCap.REFRESH_INTERVAL);
    cap.refresh();
    assertThat(cap.usedInLastHour()).as("shown 4 minutes late: beyond the 2-minute look-back").isZero();

    clock.advance(Duration.ofMinutes(5));
    cap.refresh();
    assertThat(cap.usedInLastHour()).as("the full recount 10 minutes after the last one").isEqualTo(1)
        .isEqualTo(fullRecount());
  }
}
