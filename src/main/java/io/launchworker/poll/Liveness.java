package io.launchworker.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Whether the receive loop is alive: it attempted a receive within {@link #limit()}, or it is waiting on purpose in
 * one of the loop's known places ({@link Wait}): for a permit while every handler is busy, for room in the hourly
 * cap, for an account fault's probe, or out a receive back-off. A loop stuck anywhere else (inside a receive the SDK
 * never ends, in a dispatch, or a poller thread that died) stops beating and fails {@code /health/live}, so the
 * orchestrator restarts the process. Faults outside the process (SQS down, an account fault) are readiness's
 * business: a failing receive is still an attempt.
 *
 * <p>Written by the {@code sqs-poller} thread, read by the admin server's; thread-safe (volatile fields; a reader
 * may see a wait end a moment late, never a stale beat after a wait it ended).
 */
public final class Liveness {
  /** The places the loop waits on purpose; while it waits there it is alive, however long. */
  enum Wait {
    /** Every permit is taken: the handlers are busy. */
    PERMITS,
    /** The hourly instance cap is full (or not counted yet). */
    HOURLY_CAP,
    /** Launches are paused for an account fault; one probe message per back-off. */
    ACCOUNT_PAUSE,
    /** Between failed receives. */
    RECEIVE_BACKOFF
  }

  private final Clock clock;
  private final Duration limit;
  private final BooleanSupplier stopping;
  // The last receive attempt, or the end of the last known wait; null until the loop first runs.
  private volatile Instant lastBeat;
  private volatile Wait waitingIn;

  /**
   * @param limit how long the loop may go without a receive attempt outside a known wait
   * @param stopping true once the worker is shutting down: the loop then ends on purpose
   */
  Liveness(Clock clock, Duration limit, BooleanSupplier stopping) {
    this.clock = clock;
    this.limit = limit;
    this.stopping = stopping;
  }

  /**
   * Several poll windows: a healthy loop attempts a receive at least once per long poll plus the call's own
   * latency, and a receive the SDK gives up on ends within {@code callTimeout} (then backs off, a known wait).
   */
  static Duration limitFor(Duration pollWindow, Duration callTimeout) {
    Duration windows = pollWindow.multipliedBy(3);
    Duration call = callTimeout.plus(pollWindow);
    return windows.compareTo(call) >= 0 ? windows : call;
  }

  /** The poller is about to call ReceiveMessage. */
  void attempting() {
    lastBeat = clock.instant();
  }

  /** The poller waits in {@code where} until {@link #resumed()}. */
  void waiting(Wait where) {
    waitingIn = where;
  }

  /** The poller left its wait; the limit counts from now. */
  void resumed() {
    lastBeat = clock.instant();
    waitingIn = null;
  }

  Duration limit() {
    return limit;
  }

  /** Empty while alive; otherwise why not, for {@code /health/live}. */
  public Optional<String> notLiveBecause() {
    if (stopping.getAsBoolean()) {
      return Optional.empty();
    }
    // The wait first: a reader that sees resumed() clear it also sees the beat resumed() wrote before.
    if (waitingIn != null) {
      return Optional.empty();
    }
    Instant beat = lastBeat;
    if (beat == null) {
      return Optional.empty();
    }
    Duration since = Duration.between(beat, clock.instant());
    if (since.compareTo(limit) <= 0) {
      return Optional.empty();
    }
    return Optional.of("the poll loop has not attempted a receive from SQS for " + since.toSeconds()
        + "s (limit " + limit.toSeconds() + "s) and is not waiting for a handler, the hourly cap, an account "
        + "fault's probe or a back-off: it is wedged");
  }
}
