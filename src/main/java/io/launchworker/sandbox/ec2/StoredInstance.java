package io.launchworker.sandbox.ec2;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instance as the store keeps it: its identity and current state, the launch it came from and when
 * DescribeInstances may first see it. Immutable, replaced on every change; {@code spotInstanceRequestId} is null
 * for an on-demand instance.
 */
record StoredInstance(
    String instanceId,
    String reservationId,
    int launchIndex,
    String spotInstanceRequestId,
    String state,
    Map<String, String> tags,
    Instant launchTime,
    LaunchSpec launch,
    Instant visibleFrom) {

  StoredInstance {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  String clientToken() {
    return launch.clientToken();
  }

  String imageId() {
    return launch.imageId();
  }

  String instanceType() {
    return launch.instanceType();
  }

  String subnetId() {
    return launch.subnetId();
  }

  String availabilityZone() {
    return launch.availabilityZone();
  }

  String keyName() {
    return launch.keyName();
  }

  MetadataOptions metadataOptions() {
    return launch.metadataOptions();
  }

  boolean spot() {
    return launch.market().spot();
  }

  int stateCode() {
    return InstanceStates.code(state);
  }

  boolean terminated() {
    return InstanceStates.TERMINATED.equals(state);
  }

  /** True once DescribeInstances may see the instance, its describe lag over. */
  boolean describable(Instant now) {
    return !now.isBefore(visibleFrom);
  }

  StoredInstance withState(String newState) {
    return new StoredInstance(instanceId, reservationId, launchIndex, spotInstanceRequestId, newState, tags,
        launchTime, launch, visibleFrom);
  }

  StoredInstance withTags(Map<String, String> extra) {
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(extra);
    return new StoredInstance(instanceId, reservationId, launchIndex, spotInstanceRequestId, state, merged,
        launchTime, launch, visibleFrom);
  }

  EmulatedInstance toPublic() {
    return new EmulatedInstance(instanceId, reservationId, clientToken(), imageId(), instanceType(), state, tags,
        launchTime, subnetId(), availabilityZone(), launch.market().market(), launch.market().maxPrice(),
        spotInstanceRequestId, launch.rootVolume(), launch.tags().volume(), launch.tags().networkInterface());
  }
}
