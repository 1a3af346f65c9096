package io.launchworker.ops;

import io.launchworker.message.Decision;
import io.launchworker.message.DecisionListener;
import io.launchworker.message.OutcomeKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the status page shows of recent work: the last {@value #KEPT_DECISIONS} decisions and, per
 * {@link #BUCKET} of wall-clock time, how many messages ended in each {@link OutcomeKind}, over the last
 * {@link #WINDOW}. Time comes from the injected clock, read when a decision arrives and when a snapshot is
 * taken, so a fake clock makes it deterministic.
 *
 * <p>Thread-safe: {@link #decided} is called on the handler threads, {@link #snapshot()} on the admin server's;
 * both hold this object's lock for a few microseconds and never call out while holding it. Never throws.
 */
public final class RecentOutcomes implements DecisionListener {
  /** The status page lists this many; enough to see a pattern, small enough to read at a glance. */
  static final int KEPT_DECISIONS = 50;
  /** Chart resolution: 10 s gives 90 bars in 15 minutes, readable in a small chart. */
  static final Duration BUCKET = Duration.ofSeconds(10);
  static final Duration WINDOW = Duration.ofMinutes(15);
  private static final int BUCKETS = (int) (WINDOW.toSeconds() / BUCKET.toSeconds());

  private final Clock clock;
  // Guarded by this: newest decidedAt first. Handlers report concurrently, so arrival order is not time order.
  private final List<Decision> recent = new ArrayList<>(KEPT_DECISIONS + 1);
  // Guarded by this: a ring of buckets indexed by (bucket number mod BUCKETS); slotNumber says which bucket
  // a slot currently holds, so a slot left over from an earlier lap reads as empty.
  private final long[] slotNumber = new long[BUCKETS];
  private final long[][] counts = new long[BUCKETS][OutcomeKind.values().length];

  public RecentOutcomes(Clock clock) {
    this.clock = clock;
    java.util.Arrays.fill(slotNumber, Long.MIN_VALUE);
  }

  @Override
  public void decided(Decision decision) {
    long bucket = bucketNumber(clock.instant());
    synchronized (this) {
      int at = 0;
      while (at < recent.size() && recent.get(at).decidedAt().isAfter(decision.decidedAt())) {
        at++;
      }
      recent.add(at, decision);
      if (recent.size() > KEPT_DECISIONS) {
        recent.remove(recent.size() - 1);
      }
      int slot = slot(bucket);
      if (slotNumber[slot] != bucket) {
        slotNumber[slot] = bucket;
        java.util.Arrays.fill(counts[slot], 0);
      }
      counts[slot][decision.outcome().kind().ordinal()]++;
    }
  }

  /** The decisions kept and the counts of the window ending now, oldest bucket first. */
  public Snapshot snapshot() {
    Instant now = clock.instant();
    long newest = bucketNumber(now);
    List<Bucket> buckets = new ArrayList<>(BUCKETS);
    List<Decision> decisions;
    synchronized (this) {
      for (long b = newest - BUCKETS + 1; b <= newest; b++) {
        int slot = slot(b);
        Map<OutcomeKind, Long> byKind = new EnumMap<>(OutcomeKind.class);
        for (OutcomeKind kind : OutcomeKind.values()) {
          byKind.put(kind, slotNumber[slot] == b ? counts[slot][kind.ordinal()] : 0L);
        }
        buckets.add(new Bucket(Instant.ofEpochSecond(b * BUCKET.toSeconds()), byKind));
      }
      decisions = List.copyOf(recent);
    }
    return new Snapshot(now, BUCKET, Collections.unmodifiableList(buckets), decisions);
  }

  private static long bucketNumber(Instant at) {
    return Math.floorDiv(at.getEpochSecond(), BUCKET.toSeconds());
  }

  private static int slot(long bucketNumber) {
    return (int) Math.floorMod(bucketNumber, (long) BUCKETS);
  }

  /** Outcomes decided within {@code [start, start + width)}. Immutable. */
  public record Bucket(Instant start, Map<OutcomeKind, Long> counts) {
    public Bucket {
      counts = Collections.unmodifiableMap(new EnumMap<>(counts));
    }
  }

  /**
   * A consistent view: {@code buckets} cover the window ending at {@code takenAt}, oldest first;
   * {@code recent} holds the latest decisions by {@code decidedAt}, newest first (ties: the later reported first).
   * Immutable.
   */
  public record Snapshot(Instant takenAt, Duration bucketWidth, List<Bucket> buckets, List<Decision> recent) {
    /** Sum over the window of one kind. */
    public long total(OutcomeKind kind) {
      return buckets.stream().mapToLong(b -> b.counts().get(kind)).sum();
    }
  }
}
