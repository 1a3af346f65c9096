package io.launchworker.launch;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The client-side budget for one kind of EC2 call, shared by every handler thread of a worker: a token bucket
 * (default RunInstances burst 5, 2 per second, as AWS's per-account defaults) with additive-increase,
 * multiplicative-decrease when EC2 throttles anyway (another worker or tool shares the account's budget).
 * On a throttle the rate halves (never below 1/16 of the configured rate) and the bucket empties; each
 * success adds back 1/20 of the configured rate, up to it.
 *
 * <p>Callers that must wait take a ticket and are served in ticket order. Each works out when its own token comes
 * due (after the tokens of the callers before it) and waits on the gate's monitor until then, instead of looking
 * again every few milliseconds: 32 handlers waiting for 2 calls a second wake about twice a second in all. A
 * waiter looks again only when woken: its token is due, the rate rose, a caller before it gave up,
 * {@link #wakeWaiters()} was called, or its thread was interrupted. Thread-safe; the monitor is released while
 * waiting and never held while calling out.
 */
public final class RateGate {
  private final double configuredRate;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  // Guarded by this.
  private final TokenBucket bucket;
  // Guarded by this: the next ticket to hand out, and the first ticket neither served nor given up.
  private long nextTicket;
  private long nowServing;
  // Guarded by this: tickets after nowServing whose callers gave up (stop, interrupt).
  private final Set<Long> givenUp = new HashSet<>();
  // Guarded by this: waiters whose token is due while a caller before them has not taken its own yet.
  private int awaitingTurn;

  /** Waits on the gate's monitor, which the caller holds; injected so tests need not wait. */
  public interface Sleeper {
    /** Waits at most {@code duration}, or less when {@code monitor} is notified. */
    void await(Object monitor, Duration duration) throws InterruptedException;
  }

  public RateGate(int burst, double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
    this.configuredRate = perSecond;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.bucket = new TokenBucket(burst, perSecond, nanoTime.getAsLong());
  }

  public static RateGate system(int burst, double perSecond) {
    return new RateGate(burst, perSecond, System::nanoTime,
        (monitor, d) -> TimeUnit.NANOSECONDS.timedWait(monitor, d.toNanos()));
  }

  /**
   * Blocks until a call may be made. Returns false, without taking a token, when {@code stopping} is true at the
   * start or whenever the caller is woken (whoever sets it must call {@link #wakeWaiters()}), or when the thread is
   * interrupted while waiting (the interrupt flag is kept).
   */
  public synchronized boolean acquire(BooleanSupplier stopping) {
    if (stopping.getAsBoolean()) {
      return false;
    }
    long ticket = nextTicket++;
    try {
      while (true) {
        long now = nanoTime.getAsLong();
        Duration wait = bucket.waitFor(ahead(ticket), now);
        if (wait.isZero() && ticket == nowServing) {
          bucket.take(now);
          advance();
          return true;
        }
        if (stopping.getAsBoolean()) {
          giveUp(ticket);
          return false;
        }
        if (wait.isZero()) {
          // Due, but a caller before it has not woken yet; serving that one wakes this one.
          awaitingTurn++;
          try {
            sleeper.await(this, bucket.interval());
          } finally {
            awaitingTurn--;
          }
        } else {
          sleeper.await(this, wait);
        }
      }
    } catch (InterruptedException e) {
      giveUp(ticket);
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Wakes every waiter to look at its {@code stopping} again (the worker is stopping). */
  public synchronized void wakeWaiters() {
    notifyAll();
  }

  /** EC2 throttled a call of this kind. Waiters find out when they wake: their tokens only come later. */
  public synchronized void throttled() {
    long now = nanoTime.getAsLong();
    bucket.setRate(Math.max(configuredRate / 16, bucket.rate() / 2), now);
    bucket.drain(now);
  }

  /** A call of this kind succeeded. */
  public synchronized void succeeded() {
    if (bucket.rate() < configuredRate) {
      bucket.setRate(Math.min(configuredRate, bucket.rate() + configuredRate / 20), nanoTime.getAsLong());
      notifyAll(); // their tokens come sooner now
    }
  }

  /** The current refill rate per second (for metrics). */
  public synchronized double currentRate() {
    return bucket.rate();
  }

  /** Callers before {@code ticket} still waiting to take a token. */
  private long ahead(long ticket) {
    long ahead = ticket - nowServing;
    if (!givenUp.isEmpty()) {
      for (long t : givenUp) {
        if (t < ticket) {
          ahead--;
        }
      }
    }
    return ahead;
  }

  private void giveUp(long ticket) {
    if (ticket == nowServing) {
      advance();
    } else {
      givenUp.add(ticket);
    }
    notifyAll(); // those behind it come due sooner
  }

  private void advance() {
    nowServing++;
    while (givenUp.remove(nowServing)) {
      nowServing++;
    }
    if (awaitingTurn > 0) {
      notifyAll();
    }
  }
}
