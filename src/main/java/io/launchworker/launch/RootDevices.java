package io.launchworker.launch;

import io.launchworker.request.LaunchRequest;
import io.launchworker.request.RootVolume;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;

/**
 * The root device a request's {@code rootVolume} maps onto: its own {@code deviceName}, else its image's root device
 * name, asked of EC2 once per image (DescribeImages, one Describe budget token) and kept: an image's root device
 * never changes. A block device mapping on any other name would add a second volume and leave the root as it was.
 * Thread-safe.
 */
final class RootDevices {
  private final Ec2Port ec2;
  private final Ec2Budget budget;
  private final ConcurrentMap<String, String> byImage = new ConcurrentHashMap<>();

  RootDevices(Ec2Port ec2, Ec2Budget budget) {
    this.ec2 = ec2;
    this.budget = budget;
  }

  /** What the request's root volume needs resolved; empty when it names its device or has no root volume. */
  static boolean needsLookUp(LaunchRequest request) {
    return request.rootVolume().filter(v -> v.deviceName().isEmpty()).isPresent() && request.imageId().isPresent();
  }

  /**
   * The device for the request's root volume, or empty when none is needed. Empty too when a stop came while waiting
   * for the budget ({@code stopping} turned true): the caller releases the message.
   *
   * @throws RuntimeException EC2's error, unchanged (an unknown image, an outage)
   */
  Optional<String> resolve(LaunchRequest request, BooleanSupplier stopping) {
    if (!needsLookUp(request)) {
      return request.rootVolume().flatMap(RootVolume::deviceName);
    }
    String image = request.imageId().orElseThrow();
    String known = byImage.get(image);
    if (known != null) {
      return Optional.of(known);
    }
    if (!budget.describe().acquire(stopping)) {
      return Optional.empty();
    }
    String device = ec2.rootDeviceName(image);
    byImage.putIfAbsent(image, device);
    return Optional.of(device);
  }
}
