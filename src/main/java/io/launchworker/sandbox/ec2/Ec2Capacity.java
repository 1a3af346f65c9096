package io.launchworker.sandbox.ec2;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * The capacity of an {@link Ec2Emulator}: live rules that make RunInstances refuse like EC2 does when a market,
 * instance type or zone has no room. Without rules every launch succeeds, as before.
 *
 * <p>Each refusal is decided after the ClientToken replay (a token that already launched gets its reservation,
 * whatever the capacity now) and before anything launches, under the instance store's lock, so that admission
 * and launch are one step: concurrent launches against a limit of N launch exactly N instances. Checked in
 * this order:
 * <ol>
 *   <li>{@link #unsupported}: HTTP 400 {@code Unsupported};
 *   <li>{@link #noFreeAddresses}: HTTP 400 {@code InsufficientFreeAddressesInSubnet};
 *   <li>{@link #spotPrice}: HTTP 400 {@code SpotMaxPriceTooLow}, for a Spot launch whose MaxPrice is below it;
 *   <li>{@link #spotInstanceLimit}: HTTP 400 {@code MaxSpotInstanceCountExceeded};
 *   <li>{@link #limit}: HTTP 500 {@code InsufficientInstanceCapacity} once a rule has fewer instances left than
 *       MinCount; otherwise the launch gets min(MaxCount, left) instances, as EC2 launches fewer than MaxCount.
 * </ol>
 *
 * <p>Thread-safe: every method may be called while requests are in flight and applies to the next RunInstances.
 * Never calls out while holding its lock.
 */
public final class Ec2Capacity {
  /** Matches any market, instance type or subnet (a launch without a subnet included). */
  public static final String ANY = "*";
  private static final List<String> MARKETS = List.of(MarketOptions.ON_DEMAND, MarketOptions.SPOT, ANY);

  private final SubnetZones zones;
  // All guarded by this.
  private final List<LimitRule> limits = new ArrayList<>();
  private final List<Placement> unsupported = new ArrayList<>();
  private final Set<String> fullSubnets = new HashSet<>();
  private final Map<String, BigDecimal> spotPrices = new HashMap<>();
  private Integer spotInstanceLimit;

  /**
   * A capacity rule: launches of market, instanceType and subnetId (each may be {@value #ANY}) get
   * {@code launches} instances in all, then none. As a spec entry: {@code market:type:subnet=N}.
   *
   * @throws IllegalArgumentException when market is not on-demand, spot or *, a name is empty or holds one of
   *     {@code : , =} or a blank, or launches is negative
   */
  public record Limit(String market, String instanceType, String subnetId, int launches) {
    public Limit {
      if (!MARKETS.contains(market)) {
        throw new IllegalArgumentException("market must be one of " + String.join(", ", MARKETS) + ", got '"
            + market + "'");
      }
      checkName("instance type", instanceType);
      checkName("subnet", subnetId);
      if (launches < 0) {
        throw new IllegalArgumentException("launches must be 0 or more, got " + launches);
      }
    }

    boolean matches(LaunchSpec spec) {
      return (ANY.equals(market) || market.equals(spec.market().market()))
          && Ec2Capacity.matches(instanceType, spec.instanceType())
          && Ec2Capacity.matches(subnetId, spec.subnetId());
    }

    /** The rule as a spec entry, e.g. {@code spot:c5.large:*=2}. */
    @Override
    public String toString() {
      return market + ":" + instanceType + ":" + subnetId + "=" + launches;
    }
  }

  /** An instance type in a subnet; either may be {@value #ANY}. */
  private record Placement(String instanceType, String subnetId) {
    Placement {
      checkName("instance type", instanceType);
      checkName("subnet", subnetId);
    }

    boolean matches(LaunchSpec spec) {
      return Ec2Capacity.matches(instanceType, spec.instanceType()) && Ec2Capacity.matches(subnetId, spec.subnetId());
    }
  }

  /** A limit and what is left of it. */
  private static final class LimitRule {
    final Limit limit;
    int remaining; // guarded by the Ec2Capacity

    LimitRule(Limit limit) {
      this.limit = limit;
      this.remaining = limit.launches();
    }
  }

  Ec2Capacity(SubnetZones zones) {
    this.zones = zones;
  }

  /**
   * Parses a one-line spec, e.g. {@code spot:*:*=0,on-demand:c5.large:subnet-0aaa1111=2}: comma-separated
   * {@code market:type:subnet=N} entries, market one of on-demand, spot or {@value #ANY}, type and subnet a name
   * or {@value #ANY}. A blank spec has no entries.
   *
   * @throws IllegalArgumentException naming the first malformed entry and what is wrong with it
   */
  public static List<Limit> parse(String spec) {
    return CapacitySpec.parse(spec);
  }

  /**
   * Adds the limits of a spec (see {@link #parse}) after the existing ones, or none when it is malformed.
   *
   * @throws IllegalArgumentException naming the first malformed entry
   */
  public Ec2Capacity apply(String spec) {
    return apply(parse(spec));
  }

  /** Adds parsed limits (see {@link #parse}) after the existing ones, in their order. */
  public Ec2Capacity apply(List<Limit> parsed) {
    List<LimitRule> rules = parsed.stream().map(LimitRule::new).toList();
    synchronized (this) {
      limits.addAll(rules);
    }
    return this;
  }

  /**
   * Adds a limit after the existing ones: the first limit matching a launch decides it, with its own count of
   * instances left. 0 is out of capacity at once.
   *
   * @throws IllegalArgumentException as {@link Limit} does
   */
  public Ec2Capacity limit(String market, String instanceType, String subnetId, int launches) {
    LimitRule rule = new LimitRule(new Limit(market, instanceType, subnetId, launches));
    synchronized (this) {
      limits.add(rule);
    }
    return this;
  }

  /** The limits in the order they apply, each with the instances it has left as {@code launches}. */
  public synchronized List<Limit> limits() {
    return limits.stream()
        .map(r -> new Limit(r.limit.market(), r.limit.instanceType(), r.limit.subnetId(), r.remaining))
        .toList();
  }

  /** Launches of instanceType in subnetId (either may be {@value #ANY}) fail with {@code Unsupported}. */
  public Ec2Capacity unsupported(String instanceType, String subnetId) {
    Placement placement = new Placement(instanceType, subnetId);
    synchronized (this) {
      unsupported.add(placement);
    }
    return this;
  }

  /**
   * Launches into subnetId fail with {@code InsufficientFreeAddressesInSubnet}; {@value #ANY} is every launch that
   * names a subnet (one without lands in the default subnet, which the emulator does not model).
   */
  public Ec2Capacity noFreeAddresses(String subnetId) {
    checkName("subnet", subnetId);
    synchronized (this) {
      fullSubnets.add(subnetId);
    }
    return this;
  }

  /**
   * The Spot price of instanceType ({@value #ANY}: of every type without its own): a Spot launch whose MaxPrice
   * is below it fails with {@code SpotMaxPriceTooLow}. A launch without MaxPrice offers the On-Demand price and
   * is never too low. Replaces an earlier price of the same type.
   */
  public Ec2Capacity spotPrice(String instanceType, BigDecimal price) {
    checkName("instance type", instanceType);
    if (price == null || price.signum() <= 0) {
      throw new IllegalArgumentException("a Spot price must be positive, got " + price);
    }
    synchronized (this) {
      spotPrices.put(instanceType, price);
    }
    return this;
  }

  /**
   * At most n Spot instances may be running (terminated ones do not count): a Spot launch that would need more
   * for its MinCount fails with {@code MaxSpotInstanceCountExceeded}; otherwise it gets no more than the room.
   */
  public synchronized Ec2Capacity spotInstanceLimit(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("the Spot instance limit must be 0 or more, got " + n);
    }
    spotInstanceLimit = n;
    return this;
  }

  /** Removes every rule: every launch succeeds again. */
  public synchronized Ec2Capacity clear() {
    limits.clear();
    unsupported.clear();
    fullSubnets.clear();
    spotPrices.clear();
    spotInstanceLimit = null;
    return this;
  }

  /**
   * How many instances spec may launch now, taken from the matching limit; called by the store under its lock,
   * right before it launches that many.
   *
   * @param runningSpotInstances Spot instances not terminated; asked only when a Spot limit applies
   * @throws Ec2Error a refusal ({@link Ec2Error#refusal()}) when the launch may not go ahead
   */
  synchronized int admit(LaunchSpec spec, IntSupplier runningSpotInstances) {
    String type = spec.instanceType();
    String zone = spec.availabilityZone();
    String subnet = spec.subnetId();
    if (unsupported.stream().anyMatch(u -> u.matches(spec))) {
      throw Ec2Error.refusal("Unsupported", 400, "Your requested instance type (" + type + ") is not supported in "
          + "your requested Availability Zone (" + zone + "). Please retry your request by not specifying an "
          + "Availability Zone or choosing " + String.join(", ", zones.otherZones(zone)) + ".");
    }
    if (subnet != null && (fullSubnets.contains(subnet) || fullSubnets.contains(ANY))) {
      throw Ec2Error.refusal("InsufficientFreeAddressesInSubnet", 400, "There are not enough free addresses in "
          + "subnet '" + subnet + "' to satisfy the requested number of instances.");
    }
    int count = spec.maxCount();
    if (spec.market().spot()) {
      checkSpotPrice(type, spec.market().maxPrice());
      if (spotInstanceLimit != null) {
        int room = spotInstanceLimit - runningSpotInstances.getAsInt();
        if (room < spec.minCount()) {
          throw Ec2Error.refusal("MaxSpotInstanceCountExceeded", 400, "Max spot instance count exceeded");
        }
        count = Math.min(count, room);
      }
    }
    LimitRule rule = limits.stream().filter(r -> r.limit.matches(spec)).findFirst().orElse(null);
    if (rule == null) {
      return count;
    }
    if (rule.remaining < spec.minCount()) {
      throw insufficientCapacity(spec);
    }
    count = Math.min(count, rule.remaining);
    rule.remaining -= count;
    return count;
  }

  private void checkSpotPrice(String type, BigDecimal maxPrice) {
    BigDecimal price = spotPrices.containsKey(type) ? spotPrices.get(type) : spotPrices.get(ANY);
    if (maxPrice != null && price != null && maxPrice.compareTo(price) < 0) {
      throw Ec2Error.refusal("SpotMaxPriceTooLow", 400, "Your Spot request price of " + maxPrice.toPlainString()
          + " is lower than the minimum required Spot request fulfillment price of " + price.toPlainString() + ".");
    }
  }

  private Ec2Error insufficientCapacity(LaunchSpec spec) {
    if (spec.market().spot()) {
      return Ec2Error.refusal("InsufficientInstanceCapacity", 500,
          "There is no Spot capacity available that matches your request.");
    }
    String type = spec.instanceType();
    String zone = spec.availabilityZone();
    return Ec2Error.refusal("InsufficientInstanceCapacity", 500, "We currently do not have sufficient " + type
        + " capacity in the Availability Zone you requested (" + zone + "). Our system will be working on "
        + "provisioning additional capacity. You can currently get " + type + " capacity by not specifying an "
        + "Availability Zone in your request or choosing " + String.join(", ", zones.otherZones(zone)) + ".");
  }

  private static boolean matches(String pattern, String value) {
    return ANY.equals(pattern) || pattern.equals(value);
  }

  private static void checkName(String what, String name) {
    if (name == null || name.isEmpty() || name.chars().anyMatch(c -> c == ':' || c == ',' || c == '='
        || Character.isWhitespace(c))) {
      throw new IllegalArgumentException("the " + what + " must be a name or " + ANY
          + " without ':', ',', '=' or blanks, got '" + name + "'");
    }
  }
}
