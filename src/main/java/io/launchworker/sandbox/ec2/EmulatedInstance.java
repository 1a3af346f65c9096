package io.launchworker.sandbox.ec2;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of one instance held by the {@link Ec2Emulator}. Immutable; {@code clientToken}, {@code imageId}
 * and {@code subnetId} may be null (no token sent; launched from a launch template without an image; no subnet).
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
    String availabilityZone) {

  public EmulatedInstance {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** The snapshot as it was before instances had a subnet and a zone: no subnet, in us-east-1a. */
  public EmulatedInstance(String instanceId, String reservationId, String clientToken, String imageId,
      String instanceType, String state, Map<String, String> tags, Instant launchTime) {
    this(instanceId, reservationId, clientToken, imageId, instanceType, state, tags, launchTime, null,
        SubnetZones.NO_SUBNET_ZONE);
  }

  /** True once the instance has been terminated. */
  public boolean terminated() {
    return "terminated".equals(state);
  }
}
