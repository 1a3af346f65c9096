package io.launchworker.launch;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The client-side budget for one kind of EC2 call, shared by every handler thread of a worker: a token bucket
 * (default RunInstances burst 5, 2 per second, as AWS's per-account defaults) with additive-increase,
 * multiplicative-decrease when EC2 throttles anyway (another worker or tool shares the account's budget).
 * On a throttle the rate halves (never below 1/16 of the configured rate) and the bucket empties; each
 * success adds back 1/20 of the configured rate, up to it. Thread-safe; the lock is never held while waiting.
 */
public final class RateGate {
  /** Longest single wait, so a stopping worker is noticed promptly. */
  private static final Duration MAX_SLICE = Duration.ofMillis(100);

  private final double configuredRate;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  // Guarded by this.
  private final TokenBucket bucket;

  /** Pauses the calling thread; injected so tests need not wait. */
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  public RateGate(int burst, double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
    this.configuredRate = perSecond;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.bucket = new TokenBucket(burst, perSecond, nanoTime.getAsLong());
  }

  public static RateGate system(int burst, double perSecond) {
    return new RateGate(burst, perSecond, System::nanoTime, d -> Thread.sleep(Math.max(1, d.toMillis())));
  }

  /**
   * Blocks until a call may be made. Returns false, without taking a token, when {@code stopping} turns true or
   * the thread is interrupted (the interrupt flag is kept) while waiting.
   */
  public boolean acquire(BooleanSupplier stopping) {
    while (true) {
      if (stopping.getAsBoolean()) {
        return false;
      }
      Duration wait;
      synchronized (this) {
        wait = bucket.tryTake(nanoTime.getAsLong());
      }
      if (wait.isZero()) {
        return true;
      }
      try {
        sleeper.sleep(wait.compareTo(MAX_SLICE) > 0 ? MAX_SLICE : wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** EC2 throttled a call of this kind. */
  public synchronized void throttled() {
    long now = nanoTime.getAsLong();
    bucket.setRate(Math.max(configuredRate / 16, bucket.rate() / 2), now);
    bucket.drain(now);
  }

  /** A call of this kind succeeded. */
  public synchronized void succeeded() {
    if (bucket.rate() < configuredRate) {
      bucket.setRate(Math.min(configuredRate, bucket.rate() + configuredRate / 20), nanoTime.getAsLong());
    }
  }

  /** The current refill rate per second (for metrics). */
  public synchronized double currentRate() {
    return bucket.rate();
  }
}
