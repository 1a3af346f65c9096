package io.launchworker.sandbox.ec2;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tags a RunInstances request's {@code TagSpecification.N} puts on what it creates: the instance, its volumes
 * and its network interfaces. Immutable.
 */
record ResourceTags(Map<String, String> instance, Map<String, String> volume, Map<String, String> networkInterface) {
  /**
   * The resource types RunInstances accepts. {@code spot-instances-request} is accepted like EC2 does and not
   * kept: the emulator has no Spot request resource to show it on.
   */
  private static final List<String> TAGGABLE = List.of("instance", "volume", "network-interface",
      "spot-instances-request");

  ResourceTags {
    instance = Map.copyOf(instance);
    volume = Map.copyOf(volume);
    networkInterface = Map.copyOf(networkInterface);
  }

  /** Reads every TagSpecification; an unknown resource type or an empty key is InvalidParameterValue. */
  static ResourceTags of(QueryRequest request) {
    Map<String, Map<String, String>> byType = new LinkedHashMap<>();
    TAGGABLE.forEach(type -> byType.put(type, new LinkedHashMap<>()));
    for (QueryRequest spec : request.members("TagSpecification")) {
      String resourceType = spec.get("ResourceType");
      if (resourceType == null) {
        throw Ec2Error.missing("TagSpecification.N.ResourceType");
      }
      Map<String, String> tags = byType.get(resourceType);
      if (tags == null) {
        throw Ec2Error.invalidValue("'" + resourceType + "' is not a valid taggable resource type for this "
            + "operation. RunInstances tags " + String.join(", ", TAGGABLE) + ".");
      }
      for (QueryRequest tag : spec.members("Tag")) {
        String key = tag.get("Key");
        if (key == null || key.isEmpty()) {
          throw Ec2Error.invalidValue("Tag keys must not be empty.");
        }
        tags.put(key, tag.get("Value") == null ? "" : tag.get("Value"));
      }
    }
    return new ResourceTags(byType.get("instance"), byType.get("volume"), byType.get("network-interface"));
  }
}
