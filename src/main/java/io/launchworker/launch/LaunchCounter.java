package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Counts the worker-tagged instances EC2 shows launched in this and the previous UTC hour (the hourly cap's
 * look-up): every page, a Describe budget token each. One count at a time per worker; a caller that needs a
 * fresh count waits for one that started after it asked, so concurrent callers share it. Thread-safe; blocks
 * while counting. Results go to the {@code counted} / {@code failed} callbacks, called holding the count lock.
 */
final class LaunchCounter {
  private final Ec2Port ec2;
  private final RateGate describeBudget;
  private final Clock clock;
  private final WorkerMetrics metrics;
  private final Consumer<List<Ec2Port.TaggedLaunch>> counted;
  private final Consumer<RuntimeException> failed;
  /** Held while counting, and only then. */
  private final ReentrantLock counting = new ReentrantLock();
  // Written holding counting: the last count started, and the last one finished with its result.
  private volatile long started;
  private volatile long lastFinished;
  private volatile boolean lastFinishedOk;

  LaunchCounter(Ec2Port ec2, RateGate describeBudget, Clock clock, WorkerMetrics metrics,
      Consumer<List<Ec2Port.TaggedLaunch>> counted, Consumer<RuntimeException> failed) {
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
      Instant hour = clock.instant().truncatedTo(ChronoUnit.HOURS);
      List<Instant> hours = List.of(hour.minus(1, ChronoUnit.HOURS), hour);
      List<Ec2Port.TaggedLaunch> found = new ArrayList<>();
      Optional<String> page = Optional.empty();
      do {
        if (!describeBudget.acquire(() -> false)) {
          failed.accept(new IllegalStateException("interrupted while waiting for the Describe budget"));
          return false;
        }
        Ec2Port.TaggedLaunchPage answer = ec2.findTaggedLaunches(hours, page);
        found.addAll(answer.instances());
        page = answer.nextPageToken();
      } while (page.isPresent());
      counted.accept(found);
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
