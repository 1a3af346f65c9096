package io.launchworker.launch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A rolling one-hour cap on instances this worker launches: the blast radius of a runaway producer. A launch
 * reserves its {@code maxCount} before RunInstances, settles to the instances actually launched after, or gives
 * the reservation back when nothing was launched. Per worker process: with replicas, the fleet-wide cap is this
 * times the replicas. Thread-safe; no I/O under the lock.
 */
public final class HourlyInstanceCap {
  private static final Duration WINDOW = Duration.ofHours(1);

  private final int maxPerHour;
  private final Clock clock;
  // Guarded by this: launches (time, instances) within the window, oldest first.
  private final Deque<Entry> entries = new ArrayDeque<>();
  private long used;
  private volatile boolean binding;

  public HourlyInstanceCap(int maxPerHour, Clock clock) {
    this.maxPerHour = maxPerHour;
    this.clock = clock;
  }

  /** A claim on part of the cap, to be settled or released exactly once. */
  public final class Reservation {
    private final Entry entry;

    private Reservation(Entry entry) {
      this.entry = entry;
    }

    /** The launch happened with this many instances. */
    public void settle(int instances) {
      synchronized (HourlyInstanceCap.this) {
        used += instances - entry.count;
        entry.count = instances;
      }
    }

    /** Nothing was launched (the call failed or the launch was found to exist already). */
    public void release() {
      settle(0);
    }
  }

  /** Reserves {@code count} instances if the last hour leaves room; otherwise null (the cap is binding). */
  public synchronized Reservation tryReserve(int count) {
    Instant now = clock.instant();
    expire(now);
    if (used + count > maxPerHour) {
      binding = true;
      return null;
    }
    binding = false;
    Entry entry = new Entry(now, count);
    entries.addLast(entry);
    used += count;
    return new Reservation(entry);
  }

  /** Whether {@code count} more instances fit in the last hour's window now. */
  public synchronized boolean hasRoomFor(int count) {
    expire(clock.instant());
    return used + count <= maxPerHour;
  }

  /** How long until {@code count} more instances fit, at the current launches (at least one second). */
  public synchronized Duration untilRoom(int count) {
    Instant now = clock.instant();
    expire(now);
    long excess = used + count - maxPerHour;
    for (Entry e : entries) {
      if (excess <= 0) {
        break;
      }
      excess -= e.count;
      if (excess <= 0) {
        Duration wait = Duration.between(now, e.at.plus(WINDOW));
        return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
      }
    }
    // The request alone is larger than the cap: it will never fit; the per-request cap should reject it first.
    return excess > 0 ? WINDOW : Duration.ofSeconds(1);
  }

  public synchronized long usedInLastHour() {
    expire(clock.instant());
    return used;
  }

  /** Whether the last reservation was refused. */
  public boolean binding() {
    return binding;
  }

  public int maxPerHour() {
    return maxPerHour;
  }

  private void expire(Instant now) {
    Instant cutoff = now.minus(WINDOW);
    while (!entries.isEmpty() && !entries.peekFirst().at.isAfter(cutoff)) {
      used -= entries.pollFirst().count;
    }
  }

  private static final class Entry {
    final Instant at;
    int count;

    Entry(Instant at, int count) {
      this.at = at;
      this.count = count;
    }
  }
}
