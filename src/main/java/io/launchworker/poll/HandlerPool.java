package io.launchworker.poll;

import io.launchworker.message.InFlightMessage;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code launch-handler-N} threads, with the messages each piece of work holds. Work the pool refuses (it is
 * shutting down) or never started (still queued when the grace ran out) is not dropped: its messages go to
 * {@code release}, so SQS hands them out again at once instead of after their visibility timeout. Thread-safe.
 */
final class HandlerPool {
  private final ExecutorService executor;
  private final Consumer<InFlightMessage> release;

  HandlerPool(ExecutorService executor, Consumer<InFlightMessage> release) {
    this.executor = executor;
    this.release = release;
  }

  /** Runs {@code work}, which owns {@code messages}, on a handler thread. */
  void submit(List<InFlightMessage> messages, Runnable work) {
    try {
      executor.execute(new Task(List.copyOf(messages), work));
    } catch (RejectedExecutionException e) {
      messages.forEach(release);
    }
  }

  /** Stops taking work; what is queued still runs (and, the worker stopping, releases its messages). */
  void shutdown() {
    executor.shutdown();
  }

  boolean awaitTermination(long millis) throws InterruptedException {
    return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  /** Interrupts running work and releases the messages of work that never started; returns how many. */
  int shutdownNowReleasingQueued() {
    int releasedMessages = 0;
    for (Runnable never : executor.shutdownNow()) {
      if (never instanceof Task task) {
        task.messages().forEach(release);
        releasedMessages += task.messages().size();
      }
    }
    return releasedMessages;
  }

  private record Task(List<InFlightMessage> messages, Runnable work) implements Runnable {
    @Override
    public void run() {
      work.run();
    }
  }
}
