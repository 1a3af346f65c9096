package io.launchworker.request;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One way to launch a request: a market, an instance type and a subnet. A request lists its types and subnets in
 * order of preference and names its markets; {@link #walk} orders every combination as the worker tries them:
 * market first, then type, then subnet, so a request prefers any Spot shape to on-demand, and its first type in
 * any subnet to its second type. Immutable.
 *
 * @param position 0-based place in the walk; part of the shape's ClientToken, so it must never change for a request
 * @param instanceType empty when EC2 gets none (a launch template's own, or EC2's default)
 * @param subnetId empty when EC2 gets none
 */
public record LaunchShape(int position, Market market, Optional<String> instanceType, Optional<String> subnetId) {

  /**
   * EC2's answers that prove a shape launched nothing and that another shape may get past: no capacity for the
   * type in the zone (or on Spot), the type not offered in the zone, a Spot price below the market's, the Spot
   * instance limit, a subnet out of addresses. Only these move a launch on to its next shape; the SDK never
   * repeats them either (capacity does not come back within its back-off, and each call costs RunInstances budget).
   * Its {@code contains(null)} throws: a code that may be missing goes through {@link #isFallbackCode}.
   */
  public static final java.util.Set<String> FALLBACK_CODES = java.util.Set.of(
      "InsufficientInstanceCapacity", "InsufficientCapacity", "Unsupported", "SpotMaxPriceTooLow",
      "MaxSpotInstanceCountExceeded", "InsufficientFreeAddressesInSubnet");

  /** Whether EC2's answer {@code code} moves a launch on to its next shape; false for null (an answer without one). */
  public static boolean isFallbackCode(String code) {
    return code != null && FALLBACK_CODES.contains(code);
  }

  /**
   * The most shapes a valid request can have: {@value RequestValidator#MAX_INSTANCE_TYPES} types x
   * {@value RequestValidator#MAX_SUBNETS} subnets x both markets ({@code spot-then-on-demand}), 320. The highest
   * {@code launcher.policy.max-shapes} that still limits anything.
   */
  public static final int MOST_PER_REQUEST =
      RequestValidator.MAX_INSTANCE_TYPES * RequestValidator.MAX_SUBNETS * Market.values().length;

  public LaunchShape {
    if (position < 0) {
      throw new IllegalArgumentException("position < 0: " + position);
    }
    Objects.requireNonNull(market, "market");
    Objects.requireNonNull(instanceType, "instanceType");
    Objects.requireNonNull(subnetId, "subnetId");
  }

  /**
   * Every shape of a request, in the order they are tried; at least one. A function of the request and the
   * defaults only, so every attempt (and every replica) numbers the shapes alike.
   */
  public static List<LaunchShape> walk(LaunchRequest request, LaunchDefaults defaults) {
    List<Optional<String>> types = optionals(defaults.instanceTypesFor(request));
    List<Optional<String>> subnets = optionals(defaults.subnetIdsFor(request));
    List<LaunchShape> shapes = new ArrayList<>();
    for (Market market : request.marketChoice().markets()) {
      for (Optional<String> type : types) {
        for (Optional<String> subnet : subnets) {
          shapes.add(new LaunchShape(shapes.size(), market, type, subnet));
        }
      }
    }
    return List.copyOf(shapes);
  }

  private static List<Optional<String>> optionals(List<String> values) {
    return values.isEmpty() ? List.of(Optional.empty()) : values.stream().map(Optional::of).toList();
  }

  /** For logs and outcome details: {@code spot c5.large subnet-0123abcd} (absent parts left out). */
  public String describe() {
    StringBuilder s = new StringBuilder(market.wire());
    instanceType.ifPresent(t -> s.append(' ').append(t));
    subnetId.ifPresent(n -> s.append(' ').append(n));
    return s.toString();
  }
}
