package io.launchworker.sim;

import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Virtual time and a one-at-a-time run for a simulation. Events run on the caller's thread in instant order (ties
 * in the order they were scheduled), each moving the clock to its instant. Work that must wait in the middle (a
 * handler waiting out the consistency window) runs as a fiber: a real thread that runs only while the scheduler
 * has handed it the turn, and hands it back when it waits or ends. So exactly one thread runs at any moment, in an
 * order fixed by the events: one seed, one run. Not thread-safe beyond that protocol: call {@link #run} from one
 * thread; fibers call only {@link #sleep}.
 */
public final class SimScheduler {
  /** Real time a fiber may run without handing the turn back before the run is declared stuck. */
  private static final long STUCK_SECONDS = 20;

  private final MutableClock clock;
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final List<Fiber> fibers = new ArrayList<>();
  private final Semaphore loopTurn = new Semaphore(0);
  private final ThreadLocal<Fiber> current = new ThreadLocal<>();
  private long sequence;
  private long eventsRun;

  private record Event(Instant at, long sequence, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  /** Thrown inside a fiber whose process crashed, to unwind it; never caught by the worker (an Error). */
  static final class Killed extends Error {
    Killed() {
      super("process crashed", null, false, false);
    }
  }

  private final class Fiber {
    final String owner;
    final Semaphore go = new Semaphore(0);
    Thread thread;
    volatile boolean killed;
    volatile boolean ended;

    Fiber(String owner) {
      this.owner = owner;
    }
  }

  public SimScheduler(MutableClock clock) {
    this.clock = clock;
  }

  public Instant now() {
    return clock.instant();
  }

  public long eventsRun() {
    return eventsRun;
  }

  /** Runs {@code action} at {@code at} (at once if that has passed). */
  public void at(Instant at, Runnable action) {
    Instant when = at.isBefore(clock.instant()) ? clock.instant() : at;
    events.add(new Event(when, sequence++, action));
  }

  public void after(Duration delay, Runnable action) {
    at(clock.instant().plus(delay), action);
  }

  /** Runs {@code action} every {@code period} while {@code alive} holds. */
  public void every(Duration period, BooleanSupplier alive, Runnable action) {
    after(period, () -> {
      if (alive.getAsBoolean()) {
        action.run();
        every(period, alive, action);
      }
    });
  }

  /**
   * Runs events in order until none is left, {@code done} holds (checked after each event) or the next is after
   * {@code until}. Returns whether {@code done} held.
   */
  public boolean run(Instant until, BooleanSupplier done) {
    while (!events.isEmpty()) {
      if (done.getAsBoolean()) {
        return true;
      }
      Event next = events.peek();
      if (next.at().isAfter(until)) {
        break;
      }
      events.poll();
      Duration ahead = Duration.between(clock.instant(), next.at());
      if (!ahead.isNegative() && !ahead.isZero()) {
        clock.advance(ahead);
      }
      eventsRun++;
      next.action().run();
    }
    return done.getAsBoolean();
  }

  /** An executor whose every task starts as a fiber of {@code owner} at the current instant. */
  public java.util.concurrent.ExecutorService executor(String owner) {
    return new AbstractExecutorService() {
      private boolean shutdown;

      @Override
      public void execute(Runnable task) {
        if (shutdown) {
          throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        after(Duration.ZERO, () -> startFiber(owner, task));
      }

      @Override
      public void shutdown() {
        shutdown = true;
      }

      @Override
      public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
      }

      @Override
      public boolean isShutdown() {
        return shutdown;
      }

      @Override
      public boolean isTerminated() {
        return shutdown;
      }

      @Override
      public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
      }
    };
  }

  /**
   * Called on a fiber: waits {@code duration} of virtual time, letting everything else run meanwhile. False when
   * {@code stopping} holds when it wakes. Throws {@link Killed} when the fiber's process crashed meanwhile.
   */
  public boolean sleep(Duration duration, BooleanSupplier stopping) {
    Fiber fiber = current.get();
    if (fiber == null) {
      throw new IllegalStateException("sleep outside a fiber: the simulation's event thread cannot wait");
    }
    // A crash may have ended the fiber before its wait is over; then there is nothing to wake.
    after(duration, () -> {
      if (!fiber.ended) {
        resume(fiber);
      }
    });
    loopTurn.release();
    fiber.go.acquireUninterruptibly();
    if (fiber.killed) {
      throw new Killed();
    }
    return !stopping.getAsBoolean();
  }

  /** Unwinds every fiber of {@code owner} that is waiting: its process crashed and its memory is gone. */
  public void kill(String owner) {
    for (Fiber fiber : List.copyOf(fibers)) {
      if (fiber.owner.equals(owner) && !fiber.ended) {
        fiber.killed = true;
        resume(fiber);
      }
    }
    fibers.removeIf(f -> f.ended);
  }

  /** Ends every fiber still waiting and every idle carrier thread (the run is over). */
  public void close() {
    for (Fiber fiber : List.copyOf(fibers)) {
      if (!fiber.ended) {
        fiber.killed = true;
        resume(fiber);
      }
    }
    fibers.clear();
    while (!idle.isEmpty()) {
      Carrier carrier = idle.pop();
      carrier.fiber = null;
      carrier.next.release();
    }
  }

  /**
   * Threads that ran a fiber to its end and wait for the next: starting a thread costs more than most fibers run, and
   * a run starts thousands. Each carries one fiber at a time.
   */
  private final java.util.ArrayDeque<Carrier> idle = new java.util.ArrayDeque<>();

  private final class Carrier {
    final Semaphore next = new Semaphore(0);
    final Thread thread;
    Fiber fiber;
    Runnable task;

    Carrier() {
      thread = new Thread(this::loop, "sim-fiber");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      while (true) {
        next.acquireUninterruptibly();
        Fiber mine = fiber;
        if (mine == null) {
          return; // closed
        }
        mine.go.acquireUninterruptibly();
        current.set(mine);
        try {
          if (!mine.killed) {
            task.run();
          }
        } catch (Killed expected) {
          // The process crashed while this work waited: it simply stops, as the process did.
        } finally {
          current.remove();
          mine.ended = true;
          fiber = null;
          task = null;
          idle.push(this);
          loopTurn.release();
        }
      }
    }
  }

  private void startFiber(String owner, Runnable task) {
    Fiber fiber = new Fiber(owner);
    Carrier carrier = idle.isEmpty() ? new Carrier() : idle.pop();
    fiber.thread = carrier.thread;
    carrier.fiber = fiber;
    carrier.task = task;
    fibers.add(fiber);
    carrier.next.release();
    resume(fiber);
    if (fibers.size() > 64) {
      fibers.removeIf(f -> f.ended);
    }
  }

  /** Hands the turn to {@code fiber} and takes it back when the fiber waits or ends. */
  private void resume(Fiber fiber) {
    fiber.go.release();
    try {
      if (!loopTurn.tryAcquire(STUCK_SECONDS, TimeUnit.SECONDS)) {
        StringBuilder where = new StringBuilder();
        for (StackTraceElement e : fiber.thread.getStackTrace()) {
          where.append("\n    at ").append(e);
        }
        throw new IllegalStateException("a fiber of " + fiber.owner + " neither waited nor ended within "
            + STUCK_SECONDS + " s of real time (blocked outside the simulation's waits):" + where);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
