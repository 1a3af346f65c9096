package io.launchworker.sandbox.ec2;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Availability Zone each subnet is in. A registered subnet is in its registered zone; any other subnet is
 * placed by a stable hash of its ID, so the same ID lands in the same zone on every run; no subnet is
 * {@value #NO_SUBNET_ZONE}, as before subnets had zones. Thread-safe; registrations apply to the next request.
 */
final class SubnetZones {
  /** Three zones of us-east-1, the region the sandbox's clients use; enough to show a fallback to another zone. */
  static final List<String> DEFAULT_ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");
  static final String NO_SUBNET_ZONE = "us-east-1a";

  private final Map<String, String> registered = new ConcurrentHashMap<>();

  void register(String subnetId, String availabilityZone) {
    registered.put(Objects.requireNonNull(subnetId, "subnetId"),
        Objects.requireNonNull(availabilityZone, "availabilityZone"));
  }

  /** The zone of subnetId; null means no subnet. */
  String zoneOf(String subnetId) {
    if (subnetId == null) {
      return NO_SUBNET_ZONE;
    }
    String zone = registered.get(subnetId);
    // String.hashCode is specified by the language, so the placement never changes between JVMs.
    return zone != null ? zone : DEFAULT_ZONES.get(Math.floorMod(subnetId.hashCode(), DEFAULT_ZONES.size()));
  }

  /** Every known zone but the given one, sorted: the alternatives EC2 names in its capacity errors. */
  List<String> otherZones(String availabilityZone) {
    TreeSet<String> zones = new TreeSet<>(DEFAULT_ZONES);
    zones.addAll(registered.values());
    zones.remove(availabilityZone);
    return List.copyOf(zones);
  }
}
