package io.launchworker.request;

/** Where one launch buys its instances: EC2's on-demand or Spot market. */
public enum Market {
  ON_DEMAND("on-demand"),
  SPOT("spot");

  private final String wire;

  Market(String wire) {
    this.wire = wire;
  }

  /** As written in requests, configuration, outcomes and metric tags. */
  public String wire() {
    return wire;
  }

  /** The market written as {@link #wire()}, or null. */
  public static Market fromWire(String value) {
    for (Market market : values()) {
      if (market.wire.equals(value)) {
        return market;
      }
    }
    return null;
  }
}
