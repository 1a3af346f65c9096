package io.launchworker.poll;

import io.launchworker.message.InFlightMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code launch-handler-N} threads, with the messages each piece of work holds. At most {@code slots}
 * ({@code max-in-flight}) pieces of work run at once. Work handed over while every slot is busy waits here, received
 * ahead: a handler that finishes starts the oldest waiting piece at once, so a freed slot does not wait for the
 * poller's next receive. Work the pool refuses (it is shutting down), work still waiting when the worker stops
 * ({@link #releaseWaiting()}) and work that never started (still queued when the grace ran out) is not dropped: its
 * messages go to {@code release}, so SQS hands them out again at once instead of after their visibility timeout.
 * Thread-safe: called by the poller (submit), handler threads (the hand-over) and the shutting-down thread; never
 * calls out while holding its lock.
 */
final class HandlerPool {
  private final ExecutorService executor;
  private final int slots;
  private final Consumer<InFlightMessage> release;
  private final Object lock = new Object();
  // Guarded by lock.
  private int running;
  // Guarded by lock.
  private final Deque<Task> waiting = new ArrayDeque<>();
  // Guarded by lock.
  private int waitingMessages;
  // Guarded by lock. Once set, nothing more waits: what arrives while every slot is busy is released.
  private boolean releasing;

  /** @param slots how many pieces of work may run at once: {@code max-in-flight} */
  HandlerPool(ExecutorService executor, int slots, Consumer<InFlightMessage> release) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be at least 1, got " + slots);
    }
    this.executor = executor;
    this.slots = slots;
    this.release = release;
  }

  /** Runs {@code work}, which owns {@code messages}, on a handler thread: now if a slot is free, else when one is. */
  void submit(List<InFlightMessage> messages, Runnable work) {
    Task task = new Task(List.copyOf(messages), work);
    boolean start = false;
    boolean refused = false;
    synchronized (lock) {
      if (running < slots) {
        running++;
        start = true;
      } else if (releasing) {
        refused = true;
      } else {
        waiting.add(task);
        waitingMessages += task.messages().size();
      }
    }
    if (refused) {
      task.messages().forEach(release);
    } else if (start) {
      start(task);
    }
  }

  /** Messages handed over that wait for a slot: received, and not yet being handled. */
  int waitingMessages() {
    synchronized (lock) {
      return waitingMessages;
    }
  }

  /**
   * Gives back every waiting message (the worker is stopping: none of them has started) and from now on releases
   * what is handed over while every slot is busy. Returns how many messages it released.
   */
  int releaseWaiting() {
    List<Task> drained;
    synchronized (lock) {
      releasing = true;
      drained = new ArrayList<>(waiting);
      waiting.clear();
      waitingMessages = 0;
    }
    int released = 0;
    for (Task task : drained) {
      task.messages().forEach(release);
      released += task.messages().size();
    }
    return released;
  }

  /** Stops taking work; what runs finishes, and what waits or is queued is released when its slot comes. */
  void shutdown() {
    executor.shutdown();
  }

  boolean awaitTermination(long millis) throws InterruptedException {
    return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  /** Interrupts running work and releases the messages of work that never started; returns how many. */
  int shutdownNowReleasingQueued() {
    int releasedMessages = releaseWaiting();
    for (Runnable never : executor.shutdownNow()) {
      if (never instanceof Task task) {
        task.messages().forEach(release);
        releasedMessages += task.messages().size();
      }
    }
    return releasedMessages;
  }

  /** Runs {@code first} in the slot it holds; when the executor refuses it, the slot passes on to what waits. */
  private void start(Task first) {
    Task task = first;
    while (task != null) {
      Task current = task;
      try {
        executor.execute(new Task(current.messages(), () -> runThenHandOver(current)));
        return;
      } catch (RejectedExecutionException e) {
        current.messages().forEach(release);
        task = nextOrFreeSlot();
      }
    }
  }

  private void runThenHandOver(Task task) {
    try {
      task.work().run();
    } finally {
      Task next = nextOrFreeSlot();
      if (next != null) {
        start(next);
      }
    }
  }

  /** The oldest waiting piece, which takes over the slot just freed; null when none waits (the slot is free). */
  private Task nextOrFreeSlot() {
    synchronized (lock) {
      Task next = releasing ? null : waiting.poll();
      if (next == null) {
        running--;
      } else {
        waitingMessages -= next.messages().size();
      }
      return next;
    }
  }

  private record Task(List<InFlightMessage> messages, Runnable work) implements Runnable {
    @Override
    public void run() {
      work.run();
    }
  }
}
