package io.launchworker.request;

import java.util.List;

/**
 * A request's {@code market}: the markets its launch may use, in the order they are tried. Spot is cheaper and
 * may have no capacity when on-demand still has; {@link #SPOT_THEN_ON_DEMAND} tries every Spot shape first.
 */
public enum MarketChoice {
  ON_DEMAND("on-demand", List.of(Market.ON_DEMAND)),
  SPOT("spot", List.of(Market.SPOT)),
  SPOT_THEN_ON_DEMAND("spot-then-on-demand", List.of(Market.SPOT, Market.ON_DEMAND));

  /** A request without {@code market} launches on-demand. */
  public static final MarketChoice DEFAULT = ON_DEMAND;

  private final String wire;
  private final List<Market> markets;

  MarketChoice(String wire, List<Market> markets) {
    this.wire = wire;
    this.markets = markets;
  }

  public String wire() {
    return wire;
  }

  /** The markets tried, in order. */
  public List<Market> markets() {
    return markets;
  }

  public boolean usesSpot() {
    return markets.contains(Market.SPOT);
  }

  /** The choice written as {@link #wire()}, or null. */
  public static MarketChoice fromWire(String value) {
    for (MarketChoice choice : values()) {
      if (choice.wire.equals(value)) {
        return choice;
      }
    }
    return null;
  }

  /** Every value as written, for error messages and the schema. */
  public static List<String> wires() {
    return java.util.Arrays.stream(values()).map(MarketChoice::wire).toList();
  }
}
