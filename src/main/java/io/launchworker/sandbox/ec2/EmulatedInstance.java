package io.launchworker.sandbox.ec2;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of one instance held by the {@link Ec2Emulator}. Immutable; {@code clientToken}, {@code imageId}
 * and {@code subnetId} may be null (no token sent; launched from a launch template without an image; no subnet).
 *
 * @param market {@code on-demand} or {@code spot}
 * @param spotMaxPrice the MaxPrice of a Spot launch; null for on-demand or when none was sent (the On-Demand price)
 * @param spotInstanceRequestId {@code sir-} and 8 hex digits for a Spot instance; null for on-demand
 */
public record EmulatedInstance(
    String instanceId,
    String reservationId,
    String clientToken,
    String imageId,
    String instanceType,
    String state,
    Map<String, String> tags,
    Instant launchTime,
    String subnetId,
    String availabilityZone,
    String market,
    BigDecimal spotMaxPrice,
    String spotInstanceRequestId) {

  public EmulatedInstance {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** The snapshot as it was before launches had a market and a place: on-demand, no subnet, in us-east-1a. */
  public EmulatedInstance(String instanceId, String reservationId, String clientToken, String imageId,
      String instanceType, String state, Map<String, String> tags, Instant launchTime) {
    this(instanceId, reservationId, clientToken, imageId, instanceType, state, tags, launchTime, null,
        SubnetZones.NO_SUBNET_ZONE, MarketOptions.ON_DEMAND, null, null);
  }

  /** True for an instance launched on the Spot market. */
  public boolean spot() {
    return MarketOptions.SPOT.equals(market);
  }

  /** True once the instance has been terminated. */
  public boolean terminated() {
    return "terminated".equals(state);
  }
}
