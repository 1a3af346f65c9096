package io.launchworker.sim;

import io.launchworker.request.Market;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * EC2 capacity per pool (market, instance type, subnet), which runs out and comes back. A pool is out of capacity
 * while a scheduled outage covers it ({@link #outage}, {@link #outOfCapacity}), or, with {@link #randomOutages}, while
 * its own alternating up and down periods say so: exponentially distributed lengths drawn from the seeded random, each
 * pool's periods starting when it is first asked about. A refusal is {@code InsufficientInstanceCapacity} on demand and
 * {@link #spotRefusalCode} for Spot: codes of {@code LaunchShape.FALLBACK_CODES}, answers that prove nothing launched.
 *
 * <p>Thread-safe (its own lock; {@link SimEc2} asks with its lock held).
 */
public final class CapacityModel {
  /** A capacity pool; in a pattern, a null part matches any value. */
  public record Pool(Market market, String instanceType, String subnetId) {
    boolean matches(Pool pool) {
      return (market == null || market == pool.market) && (instanceType == null
          || instanceType.equals(pool.instanceType)) && (subnetId == null || subnetId.equals(pool.subnetId));
    }
  }

  private record Outage(Pool pattern, Instant from, Instant until) {}

  /** One pool's random up and down periods. */
  private static final class Toggle {
    boolean available = true;
    Instant flipsAt;
  }

  private final Clock clock;
  private final RandomGenerator random;
  // Guarded by this.
  private final List<Outage> outages = new ArrayList<>();
  private final Map<Pool, Toggle> toggles = new HashMap<>();
  private Duration meanAvailable;
  private Duration meanOutage;
  private String spotRefusalCode = "InsufficientInstanceCapacity";

  CapacityModel(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  /** Pools matching {@code pattern} are out of capacity from {@code from} (inclusive) to {@code until}. */
  public synchronized CapacityModel outage(Pool pattern, Instant from, Instant until) {
    outages.add(new Outage(Objects.requireNonNull(pattern, "pattern"), from, until));
    return this;
  }

  /** Pools matching {@code pattern} are out of capacity from now until {@link #restore} of the same pattern. */
  public synchronized CapacityModel outOfCapacity(Pool pattern) {
    return outage(pattern, clock.instant(), Instant.MAX);
  }

  /** Ends, now, every outage of exactly this pattern that is still running or to come. */
  public synchronized CapacityModel restore(Pool pattern) {
    Instant now = clock.instant();
    for (int i = 0; i < outages.size(); i++) {
      Outage o = outages.get(i);
      if (o.pattern.equals(pattern) && o.until.isAfter(now)) {
        outages.set(i, new Outage(o.pattern, o.from, o.from.isAfter(now) ? o.from : now));
      }
    }
    return this;
  }

  /** Every pool alternates between capacity (mean {@code meanAvailable}) and none (mean {@code meanOutage}). */
  public synchronized CapacityModel randomOutages(Duration meanAvailableTime, Duration meanOutageTime) {
    if (meanAvailableTime.toMillis() < 1 || meanOutageTime.toMillis() < 1) {
      throw new IllegalArgumentException("mean periods must be at least 1 ms");
    }
    meanAvailable = meanAvailableTime;
    meanOutage = meanOutageTime;
    toggles.clear();
    return this;
  }

  /** Turns random outages off; scheduled ones stay. */
  public synchronized CapacityModel noRandomOutages() {
    meanAvailable = null;
    meanOutage = null;
    toggles.clear();
    return this;
  }

  /** What a Spot launch into an exhausted pool is refused with: {@code InsufficientInstanceCapacity} by default. */
  public synchronized CapacityModel spotRefusalCode(String code) {
    if (!io.launchworker.request.LaunchShape.isFallbackCode(code)) {
      throw new IllegalArgumentException(code + " is not a capacity refusal the worker falls back on");
    }
    spotRefusalCode = code;
    return this;
  }

  /** Whether the pool has capacity now. */
  public synchronized boolean available(Pool pool) {
    return refusal(pool, clock.instant()).isEmpty();
  }

  /** The error code a launch into {@code pool} at {@code now} is refused with, if it is. */
  synchronized Optional<String> refusal(Pool pool, Instant now) {
    boolean out = outages.stream().anyMatch(o -> o.pattern.matches(pool) && !now.isBefore(o.from)
        && now.isBefore(o.until));
    if (!out && meanAvailable != null) {
      out = !toggle(pool, now).available;
    }
    if (!out) {
      return Optional.empty();
    }
    return Optional.of(pool.market() == Market.SPOT ? spotRefusalCode : "InsufficientInstanceCapacity");
  }

  private Toggle toggle(Pool pool, Instant now) {
    Toggle t = toggles.computeIfAbsent(pool, p -> new Toggle());
    if (t.flipsAt == null) {
      t.flipsAt = now.plus(exponential(meanAvailable));
    }
    while (!now.isBefore(t.flipsAt)) {
      t.available = !t.available;
      t.flipsAt = t.flipsAt.plus(exponential(t.available ? meanAvailable : meanOutage));
    }
    return t;
  }

  private Duration exponential(Duration mean) {
    double draw = -Math.log(1 - random.nextDouble()) * mean.toMillis();
    return Duration.ofMillis(Math.max(1, (long) draw));
  }
}
