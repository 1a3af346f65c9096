package io.launchworker.launch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How long EC2's reads may lag behind its launches ({@code launcher.retry.consistency-window}), and the one wait a
 * handler makes for it. DescribeInstances is eventually consistent: an instance launched a moment ago may be missing
 * from its answer for seconds, sometimes minutes. So an empty look-up is evidence that a token launched nothing only
 * when it was made at least one window after the last call that may have launched with it; the handler waits for
 * that before anything a launch would contradict (trying another shape, rejecting, expiring, dead-lettering).
 * Thread-safe; {@link #waitUntil} blocks the calling handler thread.
 */
public final class ConsistencyWindow {
  /** How often a wait looks whether the worker is stopping. */
  private static final Duration STOP_CHECK = Duration.ofMillis(100);

  private final Duration length;
  private final Clock clock;
  private final Waiter waiter;

  /** Blocks the calling thread; injected so tests move a fake clock instead of sleeping. */
  public interface Waiter {
    /** Waits {@code duration}; false, early, when {@code stopping} turns true or the thread is interrupted. */
    boolean await(Duration duration, BooleanSupplier stopping);
  }

  public ConsistencyWindow(Duration length, Clock clock, Waiter waiter) {
    this.length = Objects.requireNonNull(length, "length");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.waiter = Objects.requireNonNull(waiter, "waiter");
  }

  /** A window of {@code length} on the system's time, waiting in short sleeps that notice a stop. */
  public static ConsistencyWindow system(Duration length, Clock clock) {
    return new ConsistencyWindow(length, clock, ConsistencyWindow::sleep);
  }

  /** No window: an empty look-up is trusted at once (tests of other behaviour, emulators without lag). */
  public static ConsistencyWindow none(Clock clock) {
    return new ConsistencyWindow(Duration.ZERO, clock, (d, stopping) -> !stopping.getAsBoolean());
  }

  public Duration length() {
    return length;
  }

  Instant now() {
    return clock.instant();
  }

  /** Waits until {@code instant}; false when the worker started stopping first. */
  boolean waitUntil(Instant instant, BooleanSupplier stopping) {
    Duration left = Duration.between(clock.instant(), instant);
    if (left.isNegative() || left.isZero()) {
      return !stopping.getAsBoolean();
    }
    return waiter.await(left, stopping);
  }

  private static boolean sleep(Duration duration, BooleanSupplier stopping) {
    long deadline = System.nanoTime() + duration.toNanos();
    try {
      while (!stopping.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        Thread.sleep(Math.max(1, Math.min(left, STOP_CHECK.toNanos()) / 1_000_000));
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
