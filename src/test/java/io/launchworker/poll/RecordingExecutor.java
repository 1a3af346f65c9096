package io.launchworker.poll;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An executor that only queues: the test runs each piece of work on its own thread when it chooses
 * ({@link #runNext()}), so what the pool hands over, and when, can be looked at between steps. Refuses work once shut
 * down; {@link #shutdownNow()} returns what never ran. Not thread-safe: one test thread drives it.
 */
final class RecordingExecutor extends AbstractExecutorService {
  private final Deque<Runnable> queued = new ArrayDeque<>();
  private boolean shutdown;

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    queued.add(task);
  }

  /** Pieces of work handed over and not yet run. */
  int queued() {
    return queued.size();
  }

  /** Runs the oldest queued piece of work on the calling thread. */
  void runNext() {
    Runnable next = queued.poll();
    if (next == null) {
      throw new IllegalStateException("nothing queued");
    }
    next.run();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> never = new ArrayList<>(queued);
    queued.clear();
    return never;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && queued.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }
}
