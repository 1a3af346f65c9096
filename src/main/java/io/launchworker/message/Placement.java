package io.launchworker.message;

import io.launchworker.request.Market;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a launch landed, as far as EC2 said: the market, instance type, subnet and availability zone. Parts EC2 did
 * not report (a launch template's own type, say) are empty. Immutable.
 */
public record Placement(Market market, Optional<String> instanceType, Optional<String> subnetId,
    Optional<String> availabilityZone) {

  public Placement {
    Objects.requireNonNull(market, "market");
    Objects.requireNonNull(instanceType, "instanceType");
    Objects.requireNonNull(subnetId, "subnetId");
    Objects.requireNonNull(availabilityZone, "availabilityZone");
  }

  /** {@code spot c5.large subnet-0123abcd us-east-1b}, absent parts left out. */
  public String describe() {
    StringBuilder s = new StringBuilder(market.wire());
    instanceType.ifPresent(t -> s.append(' ').append(t));
    subnetId.ifPresent(n -> s.append(' ').append(n));
    availabilityZone.ifPresent(z -> s.append(' ').append(z));
    return s.toString();
  }
}
