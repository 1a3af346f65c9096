package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RecentOutcomesTest {
  /** A bucket boundary, so "plus 9 s" stays in the same 10-second bucket. */
  private static final Instant START = Instant.parse("2026-11-29T10:00:00Z");
  private final MutableClock clock = new MutableClock(START);
  private final RecentOutcomes recent = new RecentOutcomes(clock);

  private void decide(Decision d) {
    recent.decided(d);
  }

  @Test
  void keepsTheLatestFiftyDecisionsNewestFirst() {
    for (int i = 1; i <= 60; i++) {
      decide(Decisions.launched("m" + i, clock.instant(), "r-" + i, "i-" + i));
    }

    List<Decision> kept = recent.snapshot().recent();

    assertThat(kept).hasSize(50);
    assertThat(kept.get(0).messageId()).isEqualTo("m60");
    assertThat(kept.get(49).messageId()).isEqualTo("m11");
  }

  @Test
  void decisionsReportedOutOfOrderAreListedByTheTimeTheyWereDecidedNewestFirst() {
    // Handlers report concurrently: one decided later may tell the status page first.
    decide(Decisions.launched("second", START.plusMillis(20), "r-2", "i-2"));
    decide(Decisions.launched("first", START.plusMillis(10), "r-1", "i-1"));
    decide(Decisions.launched("third", START.plusMillis(30), "r-3", "i-3"));

    assertThat(recent.snapshot().recent()).extracting(Decision::messageId).containsExactly("third", "second", "first");
  }

  @Test
  void aDecisionOlderThanTheFiftyKeptIsNotListed() {
    for (int i = 1; i <= 50; i++) {
      decide(Decisions.launched("m" + i, START.plusSeconds(i), "r-" + i, "i-" + i));
    }

    decide(Decisions.launched("late", START, "r-late", "i-late"));

    List<Decision> kept = recent.snapshot().recent();
    assertThat(kept).hasSize(50).extracting(Decision::messageId).doesNotContain("late");
    assertThat(kept.get(49).messageId()).isEqualTo("m1");
  }

  @Test
  void countsOutcomesPerTenSecondBucketByKind() {
    decide(Decisions.launched("a", clock.instant(), "r-1", "i-1"));
    clock.advance(Duration.ofSeconds(9));
    decide(Decisions.rejected("b", clock.instant(), "malformed_json", "body: not valid JSON"));
    clock.advance(Duration.ofSeconds(1));
    decide(Decisions.launched("c", clock.instant(), "r-2", "i-2"));
    decide(Decisions.decision("d", clock.instant(), Outcome.retry("throttled", "slow down",
        Optional.of("RequestLimitExceeded"), Duration.ofSeconds(2))));

    RecentOutcomes.Snapshot snapshot = recent.snapshot();

    assertThat(snapshot.buckets()).hasSize(90);
    RecentOutcomes.Bucket previous = snapshot.buckets().get(88);
    RecentOutcomes.Bucket current = snapshot.buckets().get(89);
    assertThat(previous.start()).isEqualTo(START);
    assertThat(previous.counts()).containsEntry(OutcomeKind.LAUNCHED, 1L).containsEntry(OutcomeKind.REJECTED, 1L)
        .containsEntry(OutcomeKind.RETRY, 0L);
    assertThat(current.start()).isEqualTo(START.plusSeconds(10));
    assertThat(current.counts()).containsEntry(OutcomeKind.LAUNCHED, 1L).containsEntry(OutcomeKind.RETRY, 1L)
        .containsEntry(OutcomeKind.REJECTED, 0L);
    assertThat(snapshot.total(OutcomeKind.LAUNCHED)).isEqualTo(2);
    assertThat(snapshot.takenAt()).isEqualTo(START.plusSeconds(10));
  }

  @Test
  void bucketsCoverFifteenMinutesEndingAtTheBucketOfNowOldestFirst() {
    clock.advance(Duration.ofSeconds(37));

    List<RecentOutcomes.Bucket> buckets = recent.snapshot().buckets();

    assertThat(buckets.get(89).start()).isEqualTo(START.plusSeconds(30));
    assertThat(buckets.get(0).start()).isEqualTo(START.plusSeconds(30).minus(Duration.ofMinutes(15)).plusSeconds(10));
    for (int i = 1; i < buckets.size(); i++) {
      assertThat(Duration.between(buckets.get(i - 1).start(), buckets.get(i).start())).hasSeconds(10);
    }
  }

  @Test
  void countsOlderThanFifteenMinutesLeaveTheWindowButTheDecisionsListKeepsThem() {
    decide(Decisions.launched("old", clock.instant(), "r-1", "i-1"));
    clock.advance(Duration.ofMinutes(14).plusSeconds(50));
    assertThat(recent.snapshot().total(OutcomeKind.LAUNCHED)).as("still inside the window").isEqualTo(1);

    clock.advance(Duration.ofSeconds(10));
    RecentOutcomes.Snapshot snapshot = recent.snapshot();

    assertThat(snapshot.total(OutcomeKind.LAUNCHED)).isZero();
    assertThat(snapshot.recent()).extracting(Decision::messageId).containsExactly("old");
  }

  @Test
  void aBucketReusedOneLapLaterStartsFromZero() {
    decide(Decisions.rejected("lap1", clock.instant(), "malformed_json", "x"));
    clock.advance(Duration.ofMinutes(15));
    decide(Decisions.launched("lap2", clock.instant(), "r-2", "i-2"));

    RecentOutcomes.Snapshot snapshot = recent.snapshot();

    assertThat(snapshot.total(OutcomeKind.REJECTED)).isZero();
    assertThat(snapshot.total(OutcomeKind.LAUNCHED)).isEqualTo(1);
  }

  @Test
  void decisionsFromManyHandlerThreadsAreAllCounted() throws Exception {
    int threads = 8;
    int each = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            decide(Decisions.launched("t" + thread + "-" + i, START, "r", "i"));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    RecentOutcomes.Snapshot snapshot = recent.snapshot();

    assertThat(snapshot.total(OutcomeKind.LAUNCHED)).isEqualTo((long) threads * each);
    assertThat(snapshot.recent()).hasSize(50);
  }
}
