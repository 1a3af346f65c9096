package io.launchworker.sandbox.ec2;

/** EC2's request-rate model: a bucket of {@code burst} tokens refilled continuously. Guarded by its owner. */
final class TokenBucket {
  private final int burst;
  private final double refillPerNano;
  private double tokens;
  private long lastNanos;

  TokenBucket(int burst, double refillPerSecond, long nowNanos) {
    if (burst < 1 || refillPerSecond < 0) {
      throw new IllegalArgumentException("burst must be >= 1 and refill >= 0, got " + burst + ", " + refillPerSecond);
    }
    this.burst = burst;
    this.refillPerNano = refillPerSecond / 1e9;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * refillPerNano);
    lastNanos = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
