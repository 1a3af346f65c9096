package io.launchworker.sim;

import java.time.Duration;
import java.time.Instant;

/**
 * EC2's request throttling, a token bucket per API action or group ("Request throttling for the Amazon EC2 API"):
 * {@code burst} tokens to start with, refilled continuously at {@code refillPerSecond} up to {@code burst}; a call
 * that finds no whole token is throttled ({@code RequestLimitExceeded}) and takes none. Time is the instant the
 * caller passes (the simulation's clock), never the machine's. Guarded by its owner.
 */
final class Bucket {
  /** EC2's default for RunInstances: burst 5, 2 per second. */
  static final int RUN_INSTANCES_BURST = 5;
  static final double RUN_INSTANCES_REFILL = 2;
  /** EC2's default for non-mutating (Describe*) actions: burst 100, 20 per second. */
  static final int DESCRIBE_BURST = 100;
  static final double DESCRIBE_REFILL = 20;

  private final int burst;
  private final double refillPerSecond;
  private double tokens;
  private Instant last;

  Bucket(int burst, double refillPerSecond, Instant now) {
    if (burst < 1 || !(refillPerSecond >= 0)) {
      throw new IllegalArgumentException("burst must be >= 1 and refill >= 0, got " + burst + ", " + refillPerSecond);
    }
    this.burst = burst;
    this.refillPerSecond = refillPerSecond;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if a whole one is there at {@code now}. */
  boolean tryTake(Instant now) {
    if (now.isAfter(last)) {
      double seconds = Duration.between(last, now).toNanos() / 1e9;
      tokens = Math.min(burst, tokens + seconds * refillPerSecond);
      last = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
