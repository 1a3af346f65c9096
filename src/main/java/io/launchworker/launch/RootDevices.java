package io.launchworker.launch;

import io.launchworker.message.Outcome;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.RejectReason;
import io.launchworker.request.RootVolume;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;

/**
 * The root device a request's {@code rootVolume} maps onto. For an imageId request it is always the image's root
 * device name, asked of EC2 once per image (DescribeImages, one Describe budget token) and kept: an image's root device
 * never changes. A block device mapping on any other name would add a second volume (of the request's size, type and
 * encryption) and leave the root as the image has it, so a {@code deviceName} naming another device is refused
 * ({@link #otherThanTheRoot}). A launch template request must name the device itself: the worker cannot see its
 * image. Thread-safe.
 */
final class RootDevices {
  private static final String DEV = "/dev/";

  private final Ec2Port ec2;
  private final Ec2Budget budget;
  private final ConcurrentMap<String, String> byImage = new ConcurrentHashMap<>();

  RootDevices(Ec2Port ec2, Ec2Budget budget) {
    this.ec2 = ec2;
    this.budget = budget;
  }

  /** Whether the request's root volume needs its image's root device: an imageId request with a rootVolume. */
  static boolean needsLookUp(LaunchRequest request) {
    return request.rootVolume().isPresent() && request.imageId().isPresent();
  }

  /**
   * The device for the request's root volume: the image's root device for an imageId request, the request's own
   * {@code deviceName} for a template request, empty without a root volume. Empty too when a stop came while waiting
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

  /**
   * The rejection of an imageId request whose {@code deviceName} is not its image's root device {@code imageRoot};
   * empty when it names the root (with or without {@code /dev/}) or leaves the name out. Final: the image's root
   * device never changes, so asking again cannot help.
   */
  static Optional<Outcome> otherThanTheRoot(LaunchRequest request, String imageRoot) {
    Optional<String> named = request.rootVolume().flatMap(RootVolume::deviceName);
    if (named.isEmpty() || request.imageId().isEmpty() || bare(named.get()).equals(bare(imageRoot))) {
      return Optional.empty();
    }
    return Optional.of(Outcome.rejected(RejectReason.ROOT_DEVICE_MISMATCH.code(), "rootVolume.deviceName: got \""
        + named.get() + "\", but image " + request.imageId().get() + " has its root on \"" + imageRoot + "\": a "
        + "mapping on another device would add a second volume and leave the root as the image has it; allowed: \""
        + imageRoot + "\", or leave deviceName out", Optional.empty()));
  }

  private static String bare(String device) {
    return device.startsWith(DEV) ? device.substring(DEV.length()) : device;
  }
}
