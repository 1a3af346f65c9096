package io.launchworker.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the worker is ready to take work: it received from SQS successfully within the last poll window
 * (wait time plus a margin) and is not shutting down. Written by the poller and the worker, read by the admin
 * server. Thread-safe.
 */
public final class Readiness {
  private final Clock clock;
  private final Duration window;
  private final Supplier<Optional<String>> launchesHeld;
  private volatile Instant lastReceive;
  private volatile String lastError = "";
  private volatile boolean stopping;
  private volatile boolean atCapacity;

  public Readiness(Clock clock, Duration window) {
    this(clock, window, Optional::empty);
  }

  /**
   * @param launchesHeld why the worker may launch nothing at all now, if so (an account fault, the hourly cap not
   *     yet counted);
   *     called on the admin server's thread, must not block
   */
  public Readiness(Clock clock, Duration window, Supplier<Optional<String>> launchesHeld) {
    this.clock = clock;
    this.window = window;
    this.launchesHeld = launchesHeld;
  }

  void receiveSucceeded(Instant at) {
    lastReceive = at;
    lastError = "";
  }

  void receiveFailed(String error) {
    lastError = error;
  }

  /** While every permit is taken the poller does not receive; that is being busy, not being broken. */
  void atCapacity(boolean value) {
    if (!value && atCapacity) {
      lastReceive = clock.instant();
    }
    atCapacity = value;
  }

  void stopping() {
    stopping = true;
  }

  /** Empty when ready; otherwise why not. */
  public Optional<String> notReadyBecause() {
    if (stopping) {
      return Optional.of("shutting down");
    }
    Optional<String> held = launchesHeld.get();
    if (held.isPresent()) {
      return held;
    }
    Instant last = lastReceive;
    if (!lastError.isEmpty()) {
      return Optional.of("receive failing: " + lastError);
    }
    if (atCapacity && last != null) {
      return Optional.empty();
    }
    if (last == null) {
      return Optional.of(lastError.isEmpty() ? "no receive from SQS yet" : "receive failing: " + lastError);
    }
    if (Duration.between(last, clock.instant()).compareTo(window) > 0) {
      return Optional.of("no successful receive from SQS in " + window.toSeconds() + "s"
          + (lastError.isEmpty() ? "" : "; last error: " + lastError));
    }
    return Optional.empty();
  }

  public Optional<Instant> lastReceive() {
    return Optional.ofNullable(lastReceive);
  }
}
