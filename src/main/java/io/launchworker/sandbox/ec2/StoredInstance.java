package io.launchworker.sandbox.ec2;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One instance as the store keeps it; immutable, replaced on every change. */
record StoredInstance(
    String instanceId,
    String reservationId,
    int launchIndex,
    String clientToken,
    String imageId,
    String instanceType,
    String subnetId,
    String keyName,
    String state,
    Map<String, String> tags,
    Instant launchTime,
    MetadataOptions metadataOptions) {

  static final String AVAILABILITY_ZONE = "us-east-1a";

  StoredInstance {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  int stateCode() {
    return InstanceStates.code(state);
  }

  boolean terminated() {
    return InstanceStates.TERMINATED.equals(state);
  }

  StoredInstance withState(String newState) {
    return new StoredInstance(instanceId, reservationId, launchIndex, clientToken, imageId, instanceType,
        subnetId, keyName, newState, tags, launchTime, metadataOptions);
  }

  StoredInstance withTags(Map<String, String> extra) {
    Map<String, String> merged = new LinkedHashMap<>(tags);
    merged.putAll(extra);
    return new StoredInstance(instanceId, reservationId, launchIndex, clientToken, imageId, instanceType,
        subnetId, keyName, state, merged, launchTime, metadataOptions);
  }

  EmulatedInstance toPublic() {
    return new EmulatedInstance(instanceId, reservationId, clientToken, imageId, instanceType, state, tags,
        launchTime);
  }
}
