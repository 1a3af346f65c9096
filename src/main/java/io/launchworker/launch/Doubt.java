package io.launchworker.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One receive's doubt about what its token launched before: since when a call that may have launched could have been
 * made, and when the last look-up found nothing. An empty look-up clears the doubt only when it was made at least one
 * consistency window after that call. Owned by one handler thread for one message; not thread-safe.
 */
final class Doubt {
  private final Duration window;
  /** Null when nothing could have launched with the token (a first receive under the message's own ID). */
  private Instant lastPossibleCall;
  private Instant lastEmptyLookUp;
  private final OptionalInt unclearShape;

  private Doubt(Duration window, Instant lastPossibleCall, OptionalInt unclearShape) {
    this.window = window;
    this.lastPossibleCall = lastPossibleCall;
    this.unclearShape = unclearShape;
  }

  /** Nothing launched with the token before this receive. */
  static Doubt none(Duration window) {
    return new Doubt(window, null, OptionalInt.empty());
  }

  /** Something may have launched with the token up to {@code lastPossibleCall}, on the given shape if known. */
  static Doubt since(Duration window, Instant lastPossibleCall, OptionalInt unclearShape) {
    return new Doubt(window, lastPossibleCall, unclearShape);
  }

  /** A look-up started at {@code at} found nothing. */
  void lookedUpEmpty(Instant at) {
    lastEmptyLookUp = at;
  }

  /** A call started before {@code at} may have launched (its answer was lost, or EC2 failed after it). */
  void mayHaveLaunchedBy(Instant at) {
    lastPossibleCall = lastPossibleCall == null || at.isAfter(lastPossibleCall) ? at : lastPossibleCall;
  }

  /** Whether an empty look-up now proves that nothing launched. */
  boolean cleared() {
    return lastPossibleCall == null
        || (lastEmptyLookUp != null && !lastEmptyLookUp.isBefore(lastPossibleCall.plus(window)));
  }

  /** When a look-up will be evidence; empty when nothing is in doubt. */
  Optional<Instant> clearsAt() {
    return Optional.ofNullable(lastPossibleCall).map(c -> c.plus(window));
  }

  /** The shape the previous receive in this process left unclear: it alone may be asked again at once. */
  OptionalInt unclearShape() {
    return unclearShape;
  }
}
