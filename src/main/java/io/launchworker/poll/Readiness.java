package io.launchworker.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the worker is ready to take work: it received from SQS successfully within the last poll window
 * (wait time plus a margin) and is not shutting down. Written by the poller and the worker, read by the admin
 * server and the readiness gauge ({@link #reason()}). Thread-safe.
 */
public final class Readiness {
  /**
   * Why the worker is or is not ready, as a closed set: the {@code reason} tag of {@code launcher_ready}, one series
   * per value, 1 for the current one. {@link #notReadyBecause()} says the same in words, with details.
   */
  public enum Reason {
    READY,
    SHUTTING_DOWN,
    /** Launches are paused for an account fault; the worker probes instead of receiving. */
    ACCOUNT_PAUSED,
    /** The hourly instance cap has not been counted from EC2 yet, or counting fails when a launch needs it. */
    CAP_NOT_COUNTED,
    /** The last receive from SQS failed. */
    RECEIVE_FAILING,
    /** Started, but no receive from SQS has succeeded yet. */
    NO_RECEIVE_YET,
    /** No successful receive within the poll window, though none failed either (a stuck poller). */
    RECEIVE_STALE;

    /** The metric tag value. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Every tag value, in declaration order. */
    public static List<String> tags() {
      return Arrays.stream(values()).map(Reason::tag).toList();
    }
  }

  private record State(Reason reason, Optional<String> text) {
    static final State READY = new State(Reason.READY, Optional.empty());

    static State not(Reason reason, String text) {
      return new State(reason, Optional.of(text));
    }
  }

  private final Clock clock;
  private final Duration window;
  private final Supplier<Optional<String>> accountPaused;
  private final Supplier<Optional<String>> capNotCounted;
  private volatile Instant lastReceive;
  private volatile String lastError = "";
  private volatile boolean stopping;
  private volatile boolean atCapacity;

  public Readiness(Clock clock, Duration window) {
    this(clock, window, Optional::empty, Optional::empty);
  }

  /**
   * @param accountPaused why launches are paused for an account fault, if they are
   * @param capNotCounted why the hourly cap lets nothing launch because it lacks a count from EC2, if so;
   *     both called on the admin server's (or the scraper's) thread, must not block
   */
  public Readiness(Clock clock, Duration window, Supplier<Optional<String>> accountPaused,
      Supplier<Optional<String>> capNotCounted) {
    this.clock = clock;
    this.window = window;
    this.accountPaused = accountPaused;
    this.capNotCounted = capNotCounted;
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
    return state().text();
  }

  /** Why the worker is (or is not) ready, as the readiness gauge's tag. */
  public Reason reason() {
    return state().reason();
  }

  private State state() {
    if (stopping) {
      return State.not(Reason.SHUTTING_DOWN, "shutting down");
    }
    Optional<String> paused = accountPaused.get();
    if (paused.isPresent()) {
      return State.not(Reason.ACCOUNT_PAUSED, paused.get());
    }
    Optional<String> uncounted = capNotCounted.get();
    if (uncounted.isPresent()) {
      return State.not(Reason.CAP_NOT_COUNTED, uncounted.get());
    }
    Instant last = lastReceive;
    String error = lastError;
    if (!error.isEmpty()) {
      return State.not(Reason.RECEIVE_FAILING, "receive failing: " + error);
    }
    if (atCapacity && last != null) {
      return State.READY;
    }
    if (last == null) {
      return State.not(Reason.NO_RECEIVE_YET, "no receive from SQS yet");
    }
    if (Duration.between(last, clock.instant()).compareTo(window) > 0) {
      return State.not(Reason.RECEIVE_STALE, "no successful receive from SQS in " + window.toSeconds() + "s");
    }
    return State.READY;
  }

  public Optional<Instant> lastReceive() {
    return Optional.ofNullable(lastReceive);
  }
}
