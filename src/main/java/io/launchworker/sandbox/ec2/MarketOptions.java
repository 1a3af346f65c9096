package io.launchworker.sandbox.ec2;

import java.math.BigDecimal;
import java.util.List;

/**
 * The purchasing option of a launch, as RunInstances' {@code InstanceMarketOptions} sets it: on-demand when
 * absent, or spot with an optional maximum price. Immutable.
 *
 * @param market {@value #ON_DEMAND} or {@value #SPOT}
 * @param maxPrice the Spot maximum price per hour; null when not sent, which EC2 reads as the On-Demand price
 * @param spotInstanceType {@code one-time} or {@code persistent}; null for on-demand or when not sent
 * @param interruptionBehavior {@code hibernate}, {@code stop} or {@code terminate}; null when not sent
 */
record MarketOptions(String market, BigDecimal maxPrice, String spotInstanceType, String interruptionBehavior) {
  static final String ON_DEMAND = "on-demand";
  static final String SPOT = "spot";
  static final MarketOptions ON_DEMAND_OPTIONS = new MarketOptions(ON_DEMAND, null, null, null);

  private static final String PREFIX = "InstanceMarketOptions.";
  private static final String SPOT_PREFIX = PREFIX + "SpotOptions.";

  /** The options of a RunInstances request, validated like EC2. */
  static MarketOptions of(QueryRequest request) {
    String marketType = request.get(PREFIX + "MarketType");
    if (marketType == null) {
      return ON_DEMAND_OPTIONS;
    }
    if (!SPOT.equals(marketType)) {
      throw Ec2Error.invalidValue("Value (" + marketType + ") for parameter MarketType is invalid. "
          + "The emulator models spot, and on-demand when MarketType is left out.");
    }
    return new MarketOptions(SPOT, maxPrice(request.get(SPOT_PREFIX + "MaxPrice")),
        oneOf(request, "SpotInstanceType", List.of("one-time", "persistent")),
        oneOf(request, "InstanceInterruptionBehavior", List.of("hibernate", "stop", "terminate")));
  }

  private static BigDecimal maxPrice(String text) {
    if (text == null) {
      return null;
    }
    try {
      BigDecimal price = new BigDecimal(text.trim());
      if (price.signum() > 0) {
        return price;
      }
    } catch (NumberFormatException e) {
      // falls through to the EC2 error below
    }
    throw Ec2Error.invalidValue("Value (" + text + ") for parameter MaxPrice is invalid. Expected a positive price.");
  }

  private static String oneOf(QueryRequest request, String name, List<String> allowed) {
    String value = request.get(SPOT_PREFIX + name);
    if (value != null && !allowed.contains(value)) {
      throw Ec2Error.invalidValue("Value (" + value + ") for parameter " + name + " is invalid. Expected one of "
          + String.join(", ", allowed) + ".");
    }
    return value;
  }

  boolean spot() {
    return SPOT.equals(market);
  }
}
