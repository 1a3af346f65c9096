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
 * @param tags the instance's tags now, CreateTags included
 * @param market {@code on-demand} or {@code spot}
 * @param spotMaxPrice the MaxPrice of a Spot launch; null for on-demand or when none was sent (the On-Demand price)
 * @param spotInstanceRequestId {@code sir-} and 8 hex digits for a Spot instance; null for on-demand
 * @param rootVolume the BlockDeviceMapping on the image's root device; null when the launch sent none
 * @param volumeTags the tags of the launch's {@code volume} TagSpecification
 * @param networkInterfaceTags the tags of the launch's {@code network-interface} TagSpecification
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
    String spotInstanceRequestId,
    RootVolume rootVolume,
    Map<String, String> volumeTags,
    Map<String, String> networkInterfaceTags) {

  /**
   * The root volume a launch asked for. A field the request left out is null: EC2 takes it from the image.
   *
   * @param sizeGiB {@code Ebs.VolumeSize}
   * @param type {@code Ebs.VolumeType}: gp2, gp3, io1, io2, st1, sc1 or standard
   */
  public record RootVolume(String deviceName, Integer sizeGiB, String type, Boolean encrypted,
      Boolean deleteOnTermination) {}

  public EmulatedInstance {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    volumeTags = Collections.unmodifiableMap(new LinkedHashMap<>(volumeTags));
    networkInterfaceTags = Collections.unmodifiableMap(new LinkedHashMap<>(networkInterfaceTags));
  }

  /**
   * The snapshot as it was before launches had a market, a place, a root volume and tags of other resources:
   * on-demand, no subnet, in us-east-1a, none of the rest.
   */
  public EmulatedInstance(String instanceId, String reservationId, String clientToken, String imageId,
      String instanceType, String state, Map<String, String> tags, Instant launchTime) {
    this(instanceId, reservationId, clientToken, imageId, instanceType, state, tags, launchTime, null,
        SubnetZones.NO_SUBNET_ZONE, MarketOptions.ON_DEMAND, null, null, null, Map.of(), Map.of());
  }

  /** True once the instance has been terminated. */
  public boolean terminated() {
    return "terminated".equals(state);
  }

  /** True for an instance launched on the Spot market. */
  public boolean spot() {
    return MarketOptions.SPOT.equals(market);
  }
}
