package io.launchworker.launch;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The client-side budget for one kind of EC2 call, shared by every handler thread of a worker: a token bucket
 * whose configured burst and rate (default RunInstances burst 5, 2 per second, as AWS's per-account defaults) are
 * the ceiling. An adaptive gate ({@link #adaptive}) finds its share below that ceiling from EC2's answers
 * ({@link AdaptiveRate}: additive increase while calls succeed, multiplicative decrease on a throttle), so replicas
 * that share an account's budget divide it among themselves without being told how many they are. Its burst
 * follows its rate (a replica at a quarter of the rate holds a quarter of the burst), and a throttle empties it.
 * A fixed gate (the constructor, {@link #system}) keeps the configured rate.
 *
 * <p>Callers that must wait take a ticket and are served in ticket order. Each works out when its own token comes
 * due (after the tokens of the callers before it) and waits on the gate's monitor until then, instead of looking
 * again every few milliseconds: 32 handlers waiting for 2 calls a second wake about twice a second in all. A
 * waiter looks again only when woken: its token is due, the rate rose, a caller before it gave up,
 * {@link #wakeWaiters()} was called, or its thread was interrupted. Thread-safe; the monitor is released while
 * waiting and never held while calling out.
 */
public final class RateGate {
  private final int ceilingBurst;
  private final boolean adaptive;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  // Guarded by this.
  private final TokenBucket bucket;
  // Guarded by this.
  private final AdaptiveRate rate;
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

  /** A fixed gate: {@code burst} and {@code perSecond} whatever EC2 answers. */
  public RateGate(int burst, double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
    this(burst, AdaptiveRate.fixed(perSecond, nanoTime.getAsLong()), false, nanoTime, sleeper);
  }

  private RateGate(int ceilingBurst, AdaptiveRate rate, boolean adaptive, LongSupplier nanoTime, Sleeper sleeper) {
    this.ceilingBurst = ceilingBurst;
    this.adaptive = adaptive;
    this.rate = rate;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.bucket = new TokenBucket(burstFor(rate.rate()), rate.rate(), nanoTime.getAsLong());
  }

  /** An adaptive gate whose ceiling is {@code burst} and {@code perSecond}. */
  public static RateGate adaptive(int burst, double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
    return new RateGate(burst, new AdaptiveRate(perSecond, nanoTime.getAsLong()), true, nanoTime, sleeper);
  }

  /** A fixed gate on the system clock. */
  public static RateGate system(int burst, double perSecond) {
    return new RateGate(burst, perSecond, System::nanoTime, RateGate::timedWait);
  }

  /** An adaptive gate on the system clock. */
  public static RateGate adaptiveSystem(int burst, double perSecond) {
    return adaptive(burst, perSecond, System::nanoTime, RateGate::timedWait);
  }

  private static void timedWait(Object monitor, Duration d) throws InterruptedException {
    TimeUnit.NANOSECONDS.timedWait(monitor, d.toNanos());
  }

  /** The gate's clock, for stamping when a call was sent ({@link #throttled(long)}). */
  public long nanoTime() {
    return nanoTime.getAsLong();
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

  /**
   * Takes a token now if one is free and no caller is waiting before this one; otherwise returns how long until one
   * would be, taking nothing. For callers driven by an event loop rather than a thread of their own.
   */
  synchronized Duration tryAcquire() {
    long now = nanoTime.getAsLong();
    long waiting = nextTicket - nowServing - givenUp.size();
    Duration wait = bucket.waitFor(waiting, now);
    if (wait.isZero() && waiting == 0) {
      bucket.take(now);
      return Duration.ZERO;
    }
    return wait.isZero() ? bucket.interval() : wait;
  }

  /** Wakes every waiter to look at its {@code stopping} again (the worker is stopping). */
  public synchronized void wakeWaiters() {
    notifyAll();
  }

  /**
   * EC2 throttled a call of this kind, sent at {@code sentNanos} on {@link #nanoTime()}: the bucket empties (EC2's
   * evidently is), and an adaptive gate lowers its rate unless the call was sent before its last decrease. Waiters
   * find out when they wake: their tokens only come later. Returns whether the rate was lowered.
   */
  public synchronized boolean throttled(long sentNanos) {
    long now = nanoTime.getAsLong();
    boolean lowered = rate.throttled(sentNanos, now);
    if (lowered) {
      apply(now);
    }
    bucket.drain(now);
    return lowered;
  }

  /** A call of this kind succeeded. */
  public synchronized void succeeded() {
    double before = rate.rate();
    long now = nanoTime.getAsLong();
    rate.succeeded(now);
    if (rate.rate() != before) {
      apply(now);
      if (rate.rate() > before) {
        notifyAll(); // their tokens come sooner now
      }
    }
  }

  /** The current refill rate per second (a gauge and the status page). */
  public synchronized double currentRate() {
    return rate.rate();
  }

  /** The configured rate per second, the ceiling of {@link #currentRate()}. */
  public double ceilingRate() {
    return rate.ceiling();
  }

  /**
   * How many more messages a worker holding {@code inHand} could start launching within {@code horizon} at the
   * current rate: at least one message's worth, so a replica at the floor still takes work. A fixed gate makes
   * no such limit (its rate is set, not shared): there only max-in-flight bounds what is held.
   */
  public synchronized int room(int inHand, Duration horizon) {
    if (!adaptive) {
      return Integer.MAX_VALUE;
    }
    double soon = Math.ceil(rate.rate() * horizon.toNanos() / 1e9);
    long limit = (long) Math.max(1, Math.min(Integer.MAX_VALUE, soon));
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, limit - inHand));
  }

  /** The burst the bucket holds now: the ceiling's burst scaled by the rate's share of the ceiling, at least 1. */
  public synchronized int currentBurst() {
    return bucket.capacity();
  }

  private void apply(long now) {
    bucket.setRate(rate.rate(), now);
    bucket.setCapacity(burstFor(rate.rate()), now);
  }

  private int burstFor(double perSecond) {
    return Math.max(1, (int) Math.floor(ceilingBurst * perSecond / rate.ceiling() + 1e-9));
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
