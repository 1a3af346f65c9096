package io.launchworker.launch;

/**
 * How fast one replica may call one kind of EC2 API now, learnt from EC2's answers alone: the replicas of a fleet
 * share the account's bucket without knowing of each other, each configured with the account's whole limit, which
 * becomes the ceiling rather than the share.
 *
 * <ul>
 *   <li><b>Start</b> at a quarter of the ceiling and double every {@link #SLOW_START_DOUBLING_SECONDS} of use until the
 *       ceiling or the first throttle (a lone replica is at full speed within seconds; four that start together
 *       overshoot once, not four times);
 *   <li><b>decrease</b> multiplicatively on a throttle, to {@link #DECREASE} of the rate, never below
 *       {@link #FLOOR_SHARE} of the ceiling. A throttle of a call sent
 *       before the last decrease was answered for the old rate and changes nothing (calls in flight when EC2 says
 *       "too fast" are throttled together; they are one signal);
 *   <li><b>increase</b> additively while calls succeed, by a step that starts at {@link #INCREASE_SHARE} of the
 *       ceiling per second and doubles every {@link #INCREASE_DOUBLING_SECONDS} of use without a throttle: near the
 *       rate that was last throttled it creeps, so four replicas at a quarter each are throttled rarely, and once
 *       a replica has been left alone (the others stopped) it speeds up until it finds the new limit.
 * </ul>
 * Time counts only while the replica uses its rate (each success adds at most two token intervals), so an idle
 * replica does not climb back to the ceiling and burst into a busy fleet. Tuned against EC2's default
 * RunInstances bucket (burst 5, refill 2 per second) shared by 1, 2 and 4 replicas, see performance.md
 * "Sharing EC2's budget"; {@code AdaptiveRateFleetTest} replays that on a fake clock.
 *
 * <p>Not thread-safe: {@link RateGate} guards it. Times are nanoseconds from any fixed origin.
 */
final class AdaptiveRate {
  static final double START_SHARE = 0.25;
  static final double SLOW_START_DOUBLING_SECONDS = 4;
  static final double DECREASE = 0.7;
  static final double FLOOR_SHARE = 1.0 / 32;
  static final double INCREASE_SHARE = 0.00004;
  static final double INCREASE_DOUBLING_SECONDS = 20;

  private final double ceiling;
  private boolean slowStart = true;
  /** The rate at the last decrease (or the start), from which the current one has grown. */
  private double base;
  private double rate;
  /** Seconds of use since the last decrease (or the start). */
  private double usedSeconds;
  private long lastDecreaseNanos;
  private long lastSuccessNanos;
  private long throttles;
  private long decreases;

  AdaptiveRate(double ceiling, long nowNanos) {
    if (!(ceiling > 0)) {
      throw new IllegalArgumentException("ceiling must be > 0: " + ceiling);
    }
    this.ceiling = ceiling;
    this.base = ceiling * START_SHARE;
    this.rate = base;
    this.lastDecreaseNanos = nowNanos;
    this.lastSuccessNanos = nowNanos;
  }

  /** A fixed rate: the ceiling, never adapted (tests and benchmarks that measure something else). */
  static AdaptiveRate fixed(double rate, long nowNanos) {
    AdaptiveRate fixed = new AdaptiveRate(rate, nowNanos);
    fixed.slowStart = false;
    fixed.base = rate;
    fixed.rate = rate;
    fixed.usedSeconds = Double.POSITIVE_INFINITY;
    return fixed;
  }

  double rate() {
    return rate;
  }

  double ceiling() {
    return ceiling;
  }

  /** Throttles seen, and those that lowered the rate. */
  long throttles() {
    return throttles;
  }

  long decreases() {
    return decreases;
  }

  /** A call succeeded: the rate grows by the time used since the previous success. */
  void succeeded(long nowNanos) {
    if (Double.isInfinite(usedSeconds)) {
      return;
    }
    double elapsed = Math.max(0, (nowNanos - lastSuccessNanos) / 1e9);
    lastSuccessNanos = nowNanos;
    usedSeconds += Math.min(elapsed, 2 / rate);
    rate = Math.min(ceiling, Math.max(ceiling * FLOOR_SHARE, grown(usedSeconds)));
  }

  /**
   * A call sent at {@code sentNanos} was throttled. Returns true when that lowered the rate, false when the call
   * was sent before the last decrease (its answer was for the old rate).
   */
  boolean throttled(long sentNanos, long nowNanos) {
    throttles++;
    if (Double.isInfinite(usedSeconds) || sentNanos < lastDecreaseNanos) {
      return false;
    }
    decreases++;
    rate = Math.max(ceiling * FLOOR_SHARE, rate * DECREASE);
    slowStart = false;
    base = rate;
    usedSeconds = 0;
    lastDecreaseNanos = nowNanos;
    lastSuccessNanos = nowNanos;
    return true;
  }

  private double grown(double seconds) {
    if (slowStart) {
      return base * Math.pow(2, seconds / SLOW_START_DOUBLING_SECONDS);
    }
    // The integral of a step that starts at INCREASE_SHARE × ceiling per second and doubles every D seconds.
    double d = INCREASE_DOUBLING_SECONDS;
    return base + INCREASE_SHARE * ceiling * d / Math.log(2) * (Math.pow(2, seconds / d) - 1);
  }
}
