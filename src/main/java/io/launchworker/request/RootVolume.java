package io.launchworker.request;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A request's {@code rootVolume}: the EBS root volume's size, type and encryption. Sent as a block device mapping
 * on the image's root device ({@code deviceName}, or the image's own root device name, looked up once per image).
 *
 * @param sizeGiB left out: the image's snapshot size
 * @param type {@value #DEFAULT_TYPE} unless given; one of {@link #TYPES}
 * @param encrypted true unless given
 * @param deviceName the root device, such as {@code /dev/xvda} or {@code /dev/sda1}; required with a launch template
 */
public record RootVolume(OptionalInt sizeGiB, String type, boolean encrypted, Optional<String> deviceName) {
  public static final String DEFAULT_TYPE = "gp3";
  /** Volume types that can boot and need no provisioned IOPS: st1 and sc1 cannot be root volumes. */
  public static final List<String> TYPES = List.of("gp3", "gp2", "standard");
  /** EC2's largest gp2/gp3 volume. */
  public static final int MAX_SIZE_GIB = 16_384;
  /** EC2's largest magnetic ({@code standard}) volume. */
  public static final int MAX_STANDARD_SIZE_GIB = 1_024;

  public RootVolume {
    Objects.requireNonNull(sizeGiB, "sizeGiB");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(deviceName, "deviceName");
  }

  /** The largest size EC2 accepts for a volume of this type. */
  public static int maxSizeGiB(String type) {
    return "standard".equals(type) ? MAX_STANDARD_SIZE_GIB : MAX_SIZE_GIB;
  }
}
