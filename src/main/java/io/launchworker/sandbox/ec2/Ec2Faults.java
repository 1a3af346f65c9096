package io.launchworker.sandbox.ec2;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The faults an {@link Ec2Emulator} injects. Thread-safe: every setter may be called while requests are in
 * flight and takes effect for the next request. All randomness (error rates, dropped answers, the built-in
 * log-normal and uniform latencies) comes from one {@link Random} seeded by {@link #seed(long)}.
 *
 * <p>Order per request: latency, throttle, account-wide denial ({@link #denyAll}), injected error (all before any
 * launch), the action itself, then — for a successful RunInstances — possibly dropping the answer. RunInstances
 * checks its parameters, then the conditional denials ({@link #denyRunInstances}), then answers a DryRun
 * ({@code DryRunOperation}, HTTP 412: nothing launched, no ClientToken used, no capacity taken); otherwise it
 * replays the ClientToken's reservation or lets the {@link Ec2Capacity} admit a launch. With
 * {@link #ignoreClientToken} every RunInstances is a fresh launch and takes capacity. A {@link #describeLag}
 * hides each new instance from DescribeInstances for a while; nothing else lags.
 */
public final class Ec2Faults {
  private static final String RUN_INSTANCES = "RunInstances";
  private static final long DEFAULT_SEED = 42L;

  // All guarded by this.
  private Random random = new Random(DEFAULT_SEED);
  private Supplier<Duration> latency;
  private Supplier<Duration> runInstancesLatency;
  private TokenBucket runBucket;
  private TokenBucket describeBucket;
  private final List<ErrorRule> errorRules = new ArrayList<>();
  private final Map<String, Deque<ErrorRule>> failNext = new HashMap<>();
  private double dropRate;
  private int dropNext;
  private boolean ignoreClientToken;
  private Supplier<Duration> describeLag;
  private final IamDenials denials = new IamDenials();

  private record ErrorRule(String action, String code, int httpStatus, double rate) {}

  Ec2Faults() {}

  /** Re-seeds the one random source behind rates and the built-in latency distribution. */
  public synchronized Ec2Faults seed(long seed) {
    random = new Random(seed);
    return this;
  }

  /** A fixed delay before every call is handled. */
  public Ec2Faults latency(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    return latency(() -> delay);
  }

  /** A delay drawn from the supplier before every call; the supplier is called under no lock of ours. */
  public synchronized Ec2Faults latency(Supplier<Duration> delays) {
    latency = Objects.requireNonNull(delays, "delays");
    return this;
  }

  /** A log-normal delay before every call, drawn from the seeded source: median and shape sigma. */
  public Ec2Faults latencyLogNormal(Duration median, double sigma) {
    return latency(logNormal(median, sigma));
  }

  /** A fixed delay before RunInstances only, in addition to {@link #latency(Duration)}. */
  public Ec2Faults runInstancesLatency(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    return runInstancesLatency(() -> delay);
  }

  /** A delay before RunInstances only, in addition to {@link #latency(Supplier)}. */
  public synchronized Ec2Faults runInstancesLatency(Supplier<Duration> delays) {
    runInstancesLatency = Objects.requireNonNull(delays, "delays");
    return this;
  }

  /** A log-normal delay from the seeded source, for use with the latency setters. */
  public Supplier<Duration> logNormal(Duration median, double sigma) {
    double mu = Math.log(Math.max(1, median.toNanos()));
    return () -> {
      double gaussian;
      synchronized (this) {
        gaussian = random.nextGaussian();
      }
      return Duration.ofNanos((long) Math.exp(mu + sigma * gaussian));
    };
  }

  /**
   * A delay drawn uniformly from {@code [min, max]} by the seeded source, for use with the latency setters: EC2's
   * RunInstances answering in "1.0 to 1.5 s" is {@code uniform(1s, 1.5s)}.
   *
   * @throws IllegalArgumentException when min is negative or above max
   */
  public Supplier<Duration> uniform(Duration min, Duration max) {
    if (min.isNegative() || min.compareTo(max) > 0) {
      throw new IllegalArgumentException("uniform latency needs 0 <= min <= max, got " + min + ", " + max);
    }
    long lo = min.toNanos();
    long span = max.toNanos() - lo;
    return () -> {
      double u;
      synchronized (this) {
        u = random.nextDouble();
      }
      return Duration.ofNanos(lo + (long) (u * span));
    };
  }

  /**
   * A token bucket over RunInstances calls; an empty bucket answers {@code RequestLimitExceeded} (503).
   * EC2's default is burst 5, refill 2 per second. A refill of 0 never refills, for deterministic tests.
   */
  public synchronized Ec2Faults throttle(int burst, double refillPerSecond) {
    runBucket = new TokenBucket(burst, refillPerSecond, System.nanoTime());
    return this;
  }

  /** A token bucket over Describe* calls (EC2's default for non-mutating calls: burst 100, refill 20/s). */
  public synchronized Ec2Faults describeThrottle(int burst, double refillPerSecond) {
    describeBucket = new TokenBucket(burst, refillPerSecond, System.nanoTime());
    return this;
  }

  /** Removes both token buckets. */
  public synchronized Ec2Faults noThrottle() {
    runBucket = null;
    describeBucket = null;
    return this;
  }

  /** Answers a fraction {@code rate} (0..1) of action's calls with an error, before the action runs. */
  public synchronized Ec2Faults errorRate(String action, String code, int httpStatus, double rate) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("rate must be within 0..1, got " + rate);
    }
    errorRules.add(new ErrorRule(action, code, httpStatus, rate));
    return this;
  }

  /** Answers the next {@code times} calls of action with an error, before the action runs. */
  public synchronized Ec2Faults failNext(String action, String code, int httpStatus, int times) {
    Deque<ErrorRule> queue = failNext.computeIfAbsent(action, a -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.add(new ErrorRule(action, code, httpStatus, 1.0));
    }
    return this;
  }

  /** A fraction of successful RunInstances calls launch but then close the connection without an answer. */
  public synchronized Ec2Faults dropAnswerAfterLaunchRate(double rate) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("rate must be within 0..1, got " + rate);
    }
    dropRate = rate;
    return this;
  }

  /** The next n successful RunInstances calls launch but then close the connection without an answer. */
  public synchronized Ec2Faults dropNextAnswersAfterLaunch(int n) {
    dropNext += n;
    return this;
  }

  /** When true, behaves like LocalStack/moto: every RunInstances launches, whatever its ClientToken. */
  public synchronized Ec2Faults ignoreClientToken(boolean ignore) {
    ignoreClientToken = ignore;
    return this;
  }

  /** Clears every fault (the seed stays). */
  public synchronized Ec2Faults reset() {
    latency = null;
    runInstancesLatency = null;
    runBucket = null;
    describeBucket = null;
    errorRules.clear();
    failNext.clear();
    dropRate = 0;
    dropNext = 0;
    ignoreClientToken = false;
    describeLag = null;
    denials.clear();
    return this;
  }

  /**
   * Hides every instance from DescribeInstances for {@code lag} after RunInstances created it, as EC2's eventually
   * consistent reads do: a filter ({@code tag:…}, {@code tag-key}, {@code client-token}, {@code instance-id},
   * {@code launch-time}, …) leaves it out, and asking for its ID fails with {@code InvalidInstanceID.NotFound}.
   * Time is the emulator's clock ({@link Ec2Emulator#start(java.time.Clock)}): a test moves its clock past the lag
   * instead of sleeping. Only reads lag: RunInstances with a ClientToken already used answers its reservation at
   * once (and {@code IdempotentParameterMismatch} as ever), and {@link Ec2Emulator#instances()} and
   * {@link Ec2Emulator#stats()} see every instance. Applies to instances launched from now on; zero is no lag.
   *
   * @throws IllegalArgumentException when lag is negative
   */
  public Ec2Faults describeLag(Duration lag) {
    Objects.requireNonNull(lag, "lag");
    if (lag.isNegative()) {
      throw new IllegalArgumentException("lag must not be negative, got " + lag);
    }
    return describeLag(() -> lag);
  }

  /**
   * As {@link #describeLag(Duration)}, with a lag drawn once per instance when RunInstances creates it, e.g.
   * {@code describeLag(logNormal(Duration.ofSeconds(2), 0.5))} from the seeded source so runs repeat. The supplier
   * is called under the emulator's instance lock: it must be quick and must not call the emulator. A null or
   * negative draw is no lag.
   */
  public synchronized Ec2Faults describeLag(Supplier<Duration> lags) {
    describeLag = Objects.requireNonNull(lags, "lags");
    return this;
  }

  /** Instances launched from now on are visible to DescribeInstances at once; hidden ones keep their lag. */
  public synchronized Ec2Faults noDescribeLag() {
    describeLag = null;
    return this;
  }

  /**
   * Denies RunInstances calls, DryRun or not, whose instance type and image both match, as an IAM policy's
   * condition on {@code ec2:InstanceType} or an image ARN would: HTTP 403 {@code UnauthorizedOperation}
   * ("You are not authorized to perform this operation."), nothing launched, the ClientToken unused. Each is a
   * pattern with {@code *} and {@code ?} (IAM's {@code StringLike}) or null for any; the instance type is
   * {@code m1.small} when the request names none, and a launch from a template without an ImageId matches only a
   * null image. Checked after the request's parameters and before its ClientToken, so a token that launched
   * before is denied too. Denials add up; {@link #allowAll()} lifts them.
   */
  public synchronized Ec2Faults denyRunInstances(String instanceType, String imageId) {
    denials.denyRunInstances(instanceType, imageId);
    return this;
  }

  /**
   * Denies every call of action ({@code "*"}: of every action) with code until {@link #allowAll()}: an account
   * fault that starts and stops, e.g. {@code denyAll("RunInstances", "AuthFailure")} or
   * {@code denyAll("DescribeInstances", "UnauthorizedOperation")}. The status is EC2's: 401 for
   * {@code AuthFailure}, {@code OptInRequired} and {@code PendingVerification}, 403 for any other code. Checked
   * after the throttle and before injected errors (a denied call consumes no {@link #failNext}); DryRun calls are
   * denied too. Replaces an earlier denial of the same action.
   */
  public Ec2Faults denyAll(String action, String code) {
    return denyAll(action, code, IamDenials.statusOf(code));
  }

  /** As {@link #denyAll(String, String)}, answered with httpStatus. */
  public synchronized Ec2Faults denyAll(String action, String code, int httpStatus) {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(code, "code");
    denials.denyAll(action, code, httpStatus);
    return this;
  }

  /** Lifts every denial, account-wide and conditional, for the next request. */
  public synchronized Ec2Faults allowAll() {
    denials.clear();
    return this;
  }

  // ---- used by the dispatcher ----

  /** The delay to apply before action; suppliers are called outside the lock. */
  Duration latencyFor(String action) {
    Supplier<Duration> all;
    Supplier<Duration> run;
    synchronized (this) {
      all = latency;
      run = RUN_INSTANCES.equals(action) ? runInstancesLatency : null;
    }
    Duration total = Duration.ZERO;
    if (all != null) {
      total = total.plus(all.get());
    }
    if (run != null) {
      total = total.plus(run.get());
    }
    return total;
  }

  /** False when the action's bucket is empty. */
  synchronized boolean admit(String action) {
    TokenBucket bucket = RUN_INSTANCES.equals(action) ? runBucket
        : action.startsWith("Describe") ? describeBucket : null;
    return bucket == null || bucket.tryTake(System.nanoTime());
  }

  synchronized Optional<Ec2Error> injectedError(String action) {
    Deque<ErrorRule> queue = failNext.get(action);
    ErrorRule rule = queue == null ? null : queue.poll();
    if (rule == null) {
      for (ErrorRule candidate : errorRules) {
        if (candidate.action().equals(action) && random.nextDouble() < candidate.rate()) {
          rule = candidate;
          break;
        }
      }
    }
    return Optional.ofNullable(rule)
        .map(r -> new Ec2Error(r.code(), r.httpStatus(), "Injected fault: " + r.code()));
  }

  synchronized boolean dropThisAnswer() {
    if (dropNext > 0) {
      dropNext--;
      return true;
    }
    return dropRate > 0 && random.nextDouble() < dropRate;
  }

  synchronized boolean ignoresClientToken() {
    return ignoreClientToken;
  }

  synchronized Optional<Ec2Error> accountDenial(String action) {
    return denials.accountDenial(action);
  }

  synchronized Optional<Ec2Error> runInstancesDenial(LaunchSpec spec) {
    return denials.runInstancesDenial(spec);
  }

  /** The lag of each new instance, drawn once per instance; none when no lag is set. */
  synchronized Supplier<Duration> describeLag() {
    Supplier<Duration> lags = describeLag;
    return lags == null ? () -> Duration.ZERO : lags;
  }
}
