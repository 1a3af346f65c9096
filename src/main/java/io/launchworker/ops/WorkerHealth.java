package io.launchworker.ops;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the admin server asks the worker: readiness ({@code /health/ready}), liveness ({@code /health/live}) and the
 * state line of the status page. Called on the admin server's threads, often; implementations must be thread-safe
 * and must not block.
 */
public interface WorkerHealth {
  /** Empty when ready to take work; otherwise why not (faults outside the process count here). */
  Optional<String> notReadyBecause();

  /** Empty while the process is alive in the sense that restarting it would not help; otherwise why it is not. */
  Optional<String> notLiveBecause();

  /** What the status page shows as the worker's state. */
  WorkerState state();

  /**
   * Readiness alone, for callers that have no worker loop to watch: always live; the state is {@code ready} or
   * {@code not_ready} with the reason.
   */
  static WorkerHealth readinessOnly(Supplier<Optional<String>> notReadyBecause) {
    return new WorkerHealth() {
      @Override
      public Optional<String> notReadyBecause() {
        return notReadyBecause.get();
      }

      @Override
      public Optional<String> notLiveBecause() {
        return Optional.empty();
      }

      @Override
      public WorkerState state() {
        return notReadyBecause.get().map(why -> new WorkerState("not_ready", why, WorkerState.Colour.BAD))
            .orElseGet(() -> new WorkerState("ready", "", WorkerState.Colour.OK));
      }
    };
  }
}
