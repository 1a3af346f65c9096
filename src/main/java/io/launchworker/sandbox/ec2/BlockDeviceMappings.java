package io.launchworker.sandbox.ec2;

import io.launchworker.sandbox.ec2.EmulatedInstance.RootVolume;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * RunInstances' {@code BlockDeviceMapping.N}: every mapping is validated like EC2; the one on the image's root
 * device is the launch's root volume. A mapping on another device would be an extra volume in EC2 and is not kept.
 */
final class BlockDeviceMappings {
  /** EC2's size range per volume type, in GiB (io2 up to 64 TiB is Block Express). */
  private static final Map<String, int[]> SIZE_RANGE_GIB = Map.of(
      "gp2", new int[] {1, 16384},
      "gp3", new int[] {1, 16384},
      "io1", new int[] {4, 16384},
      "io2", new int[] {4, 65536},
      "st1", new int[] {125, 16384},
      "sc1", new int[] {125, 16384},
      "standard", new int[] {1, 1024});
  private static final String VOLUME_TYPES = "gp2, gp3, io1, io2, st1, sc1, standard";
  /** The type EC2 documents for an EBS mapping that names none; its range checks a size sent alone. */
  private static final String DEFAULT_TYPE = "gp2";

  private BlockDeviceMappings() {}

  /** The root volume as the request asks for it, or null when no mapping names rootDeviceName. */
  static RootVolume rootVolume(QueryRequest request, String rootDeviceName) {
    RootVolume root = null;
    Set<String> devices = new HashSet<>();
    for (QueryRequest mapping : request.members("BlockDeviceMapping")) {
      String device = mapping.get("DeviceName");
      if (device == null || device.isEmpty()) {
        throw Ec2Error.missing("BlockDeviceMapping.N.DeviceName");
      }
      if (!devices.add(device)) {
        throw Ec2Error.badRequest("InvalidBlockDeviceMapping",
            "The device '" + device + "' is used in more than one block-device mapping");
      }
      RootVolume volume = volume(device, mapping);
      if (device.equals(rootDeviceName)) {
        root = volume;
      }
    }
    return root;
  }

  private static RootVolume volume(String device, QueryRequest mapping) {
    String type = mapping.get("Ebs.VolumeType");
    if (type != null && !SIZE_RANGE_GIB.containsKey(type)) {
      throw Ec2Error.invalidValue("Value (" + type + ") for parameter volumeType is invalid. "
          + "Valid volume types are " + VOLUME_TYPES + ".");
    }
    Integer size = mapping.integer("Ebs.VolumeSize");
    if (size != null) {
      String checkedType = type == null ? DEFAULT_TYPE : type;
      int[] range = SIZE_RANGE_GIB.get(checkedType);
      if (size < range[0] || size > range[1]) {
        throw Ec2Error.invalidValue("Value (" + size + ") for parameter volumeSize of " + device + " is invalid. "
            + "A " + checkedType + " volume must be from " + range[0] + " to " + range[1] + " GiB.");
      }
    }
    return new RootVolume(device, size, type, flag(mapping, "Encrypted"), flag(mapping, "DeleteOnTermination"));
  }

  private static Boolean flag(QueryRequest mapping, String name) {
    String value = mapping.get("Ebs." + name);
    if (value == null) {
      return null;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw Ec2Error.invalidValue("Value (" + value + ") for parameter " + name + " is invalid. "
          + "Expected true or false.");
    }
    return Boolean.valueOf(value);
  }
}
