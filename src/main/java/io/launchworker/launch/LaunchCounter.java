package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Counts the worker-tagged instances EC2 shows launched lately (the hourly cap's look-up): every page, a Describe
 * budget token each. A count costs what changed, not what exists: the first count, and one every
 * {@link #FULL_RECOUNT}, asks for the whole last hour (ten-minute {@code launch-time} wildcards); the counts between
 * ask only for the minutes since the last successful one began, {@link #LOOK_BACK} earlier for launches EC2 showed
 * late, and add what they find to what the cap knows. With 20,000 tagged instances an hour that is one page every
 * ten seconds instead of twenty. One count at a time per worker; a caller that needs a fresh count waits for one
 * that started after it asked, so concurrent callers share it. Thread-safe; blocks while counting. Results go to
 * the {@code counted} / {@code failed} callbacks, called holding the count lock.
 */
final class LaunchCounter {
  private final Ec2Port ec2;
  private final RateGate describeBudget;
  private final Clock clock;
  private final WorkerMetrics metrics;
  /** A full recount of the last hour at least this often: launches an incremental count missed show in it. */
  static final Duration FULL_RECOUNT = Duration.ofMinutes(10);
  /**
   * How far before the last count an incremental count starts: a launch EC2's reads showed up to this late is still
   * seen by the next count; a later one waits for the next full recount.
   */
  static final Duration LOOK_BACK = Duration.ofMinutes(2);
  /** An incremental count over more minutes than this (after failed counts) is a full one instead. */
  private static final int MOST_MINUTE_SPANS = 30;

  /** What one count found, and whether it covered the whole last hour or only the latest minutes. */
  record Count(List<Ec2Port.TaggedLaunch> found, boolean full) {}

  private final Consumer<Count> counted;
  private final Consumer<RuntimeException> failed;
  /** Held while counting, and only then. */
  private final ReentrantLock counting = new ReentrantLock();
  // Written holding counting: the last count started, and the last one finished with its result.
  private volatile long started;
  private volatile long lastFinished;
  private volatile boolean lastFinishedOk;
  // Guarded by counting: when the last successful count started, and the last full one.
  private Instant lastCountStart;
  private Instant lastFullCountStart;

  LaunchCounter(Ec2Port ec2, RateGate describeBudget, Clock clock, WorkerMetrics metrics,
      Consumer<Count> counted, Consumer<RuntimeException> failed) {
    this.ec2 = ec2;
    this.describeBudget = describeBudget;
    this.clock = clock;
    this.metrics = metrics;
    this.counted = counted;
    this.failed = failed;
  }

  /** Taken before deciding a count is needed; see {@link #countSince}. */
  long ticket() {
    return started;
  }

  /**
   * Waits for a count that started after {@code ticket} was taken, running one if none did; returns whether it
   * succeeded.
   */
  boolean countSince(long ticket) throws InterruptedException {
    counting.lockInterruptibly();
    try {
      return lastFinished > ticket ? lastFinishedOk : count();
    } finally {
      counting.unlock();
    }
  }

  /** Counts now, unless a count is running (its answer is as fresh). Never waits for the lock. */
  void refresh() {
    if (!counting.tryLock()) {
      return;
    }
    try {
      count();
    } finally {
      counting.unlock();
    }
  }

  private boolean count() {
    long sequence = ++started;
    boolean ok = false;
    try {
      Instant now = clock.instant();
      boolean full = lastFullCountStart == null || !now.isBefore(lastFullCountStart.plus(FULL_RECOUNT));
      List<Ec2Port.LaunchSpan> spans = full ? List.of()
          : Ec2Port.LaunchSpan.covering(lastCountStart.minus(LOOK_BACK), now, Ec2Port.LaunchSpan.Length.MINUTE);
      if (spans.size() > MOST_MINUTE_SPANS) {
        full = true;
      }
      if (full) {
        spans = Ec2Port.LaunchSpan.covering(now.minus(LaunchLedger.WINDOW), now,
            Ec2Port.LaunchSpan.Length.TEN_MINUTES);
      }
      List<Ec2Port.TaggedLaunch> found = new ArrayList<>();
      Optional<String> page = Optional.empty();
      do {
        if (!describeBudget.acquire(() -> false)) {
          failed.accept(new IllegalStateException("interrupted while waiting for the Describe budget"));
          return false;
        }
        Ec2Port.TaggedLaunchPage answer = ec2.findTaggedLaunches(spans, page);
        found.addAll(answer.instances());
        page = answer.nextPageToken();
      } while (page.isPresent());
      counted.accept(new Count(found, full));
      lastCountStart = now;
      if (full) {
        lastFullCountStart = now;
      }
      ok = true;
      return true;
    } catch (RuntimeException e) {
      failed.accept(e);
      return false;
    } finally {
      lastFinishedOk = ok;
      lastFinished = sequence;
      metrics.capCount(ok ? "ok" : "failed");
    }
  }
}
