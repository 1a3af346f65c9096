package io.launchworker.poll;

import io.launchworker.ops.WorkerHealth;
import io.launchworker.ops.WorkerState;
import io.launchworker.ops.WorkerState.Colour;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The worker's answers to the admin server: readiness from {@link Readiness}, liveness from {@link Liveness}, and
 * the status page's state line ({@link #choose}), which adds to readiness what holds work back on purpose: a full
 * hourly cap and handlers waiting for the consistency window. Thread-safe; called on the admin server's threads,
 * reads volatile fields and the cap's monitor (held for microseconds), never calls out.
 */
final class WorkerStatus implements WorkerHealth {
  /** What the hourly cap says now. */
  record CapUse(boolean binding, long usedInLastHour, int maxPerHour) {}

  private final Readiness readiness;
  private final Liveness liveness;
  private final Supplier<CapUse> cap;
  private final IntSupplier consistencyWaiting;

  /**
   * @param cap the hourly cap's state
   * @param consistencyWaiting handlers waiting in place for the consistency window now
   */
  WorkerStatus(Readiness readiness, Liveness liveness, Supplier<CapUse> cap, IntSupplier consistencyWaiting) {
    this.readiness = readiness;
    this.liveness = liveness;
    this.cap = cap;
    this.consistencyWaiting = consistencyWaiting;
  }

  @Override
  public Optional<String> notReadyBecause() {
    return readiness.notReadyBecause();
  }

  @Override
  public Optional<String> notLiveBecause() {
    return liveness.notLiveBecause();
  }

  @Override
  public WorkerState state() {
    Readiness.Reason reason = readiness.reason();
    return choose(reason, reason == Readiness.Reason.READY ? Optional.empty() : readiness.notReadyBecause(),
        cap.get(), consistencyWaiting.getAsInt());
  }

  /**
   * The state line. Not ready: the readiness reason is the state (its tag the name, its text the detail). Ready:
   * a binding hourly cap first ({@code cap_reached}: nothing is received until launches leave its hour), then
   * handlers held by the consistency window ({@code consistency_hold}), else {@code ready}. Both are busy, not
   * broken, so readiness stays up through them.
   *
   * @param why readiness's text; ignored when {@code reason} is {@code READY}
   */
  static WorkerState choose(Readiness.Reason reason, Optional<String> why, CapUse cap, int consistencyWaiting) {
    if (reason != Readiness.Reason.READY) {
      return new WorkerState(reason.tag(), why.orElse(""), colour(reason));
    }
    if (cap.binding()) {
      return new WorkerState("cap_reached", "hourly instance cap reached: " + cap.usedInLastHour() + " of "
          + cap.maxPerHour() + " instances launched in the last hour; nothing is received until launches leave "
          + "the hour", Colour.BUSY);
    }
    if (consistencyWaiting > 0) {
      String messages = consistencyWaiting == 1 ? " message" : " messages";
      return new WorkerState("consistency_hold", consistencyWaiting + messages + " held by the consistency window: "
          + "waiting for a second look-up before acting", Colour.BUSY);
    }
    return new WorkerState("ready", "", Colour.OK);
  }

  private static Colour colour(Readiness.Reason reason) {
    return switch (reason) {
      case READY -> Colour.OK;
      case SHUTTING_DOWN -> Colour.OFF;
      case NO_RECEIVE_YET, CAP_NOT_COUNTED -> Colour.WARN;
      case ACCOUNT_PAUSED, RECEIVE_FAILING, RECEIVE_STALE -> Colour.BAD;
    };
  }
}
