package io.launchworker.launch;

import java.time.Duration;

/**
 * A token bucket whose refill rate can be changed while it runs (for AIMD). Time is passed in as nanoseconds
 * from any fixed origin, so the arithmetic tests without a clock. Not thread-safe: {@link RateGate} guards it.
 */
final class TokenBucket {
  /** Refills add up in small floating-point steps; ten tenths must make a whole token. */
  private static final double EPSILON = 1e-9;

  private double capacity;
  private double ratePerSecond;
  private double tokens;
  private long lastNanos;

  TokenBucket(int burst, double ratePerSecond, long nowNanos) {
    if (burst < 1 || !(ratePerSecond > 0)) {
      throw new IllegalArgumentException("burst must be >= 1 and rate > 0: " + burst + ", " + ratePerSecond);
    }
    this.capacity = burst;
    this.ratePerSecond = ratePerSecond;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /**
   * How long until the bucket holds a token for a caller with {@code ahead} callers before it, each of whom takes
   * one first: zero when it holds {@code ahead + 1} tokens now. Exact at the current rate.
   */
  Duration waitFor(long ahead, long nowNanos) {
    refill(nowNanos);
    double missing = ahead + 1 - tokens;
    if (missing <= EPSILON) {
      return Duration.ZERO;
    }
    // Rounded, not ceiled: floating-point error must not add a nanosecond; a short wait just looks once more.
    return Duration.ofNanos(Math.max(1, Math.round(missing / ratePerSecond * 1e9)));
  }

  /** Takes one token; the caller has seen {@link #waitFor} return zero for itself. */
  void take(long nowNanos) {
    refill(nowNanos);
    tokens -= 1;
  }

  /** The time one token takes to refill at the current rate. */
  Duration interval() {
    return Duration.ofNanos(Math.max(1, Math.round(1e9 / ratePerSecond)));
  }

  double rate() {
    return ratePerSecond;
  }

  void setRate(double ratePerSecond, long nowNanos) {
    refill(nowNanos);
    this.ratePerSecond = ratePerSecond;
  }

  /** Changes how many tokens the bucket holds at most; tokens above the new capacity are dropped. */
  void setCapacity(int burst, long nowNanos) {
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1: " + burst);
    }
    refill(nowNanos);
    capacity = burst;
    tokens = Math.min(tokens, capacity);
  }

  int capacity() {
    return (int) capacity;
  }

  /** Empties the bucket: after a throttle, the burst EC2 allowed is evidently spent. */
  void drain(long nowNanos) {
    refill(nowNanos);
    tokens = Math.min(tokens, 0);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed / 1e9 * ratePerSecond);
      lastNanos = nowNanos;
    }
  }
}
