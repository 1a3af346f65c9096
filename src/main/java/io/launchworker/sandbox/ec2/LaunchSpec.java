package io.launchworker.sandbox.ec2;

import java.util.Map;

/** A validated RunInstances request: what to launch and the request's canonical form for token checks. */
record LaunchSpec(
    String imageId,
    String instanceType,
    int count,
    String subnetId,
    String keyName,
    String clientToken,
    Map<String, String> instanceTags,
    MetadataOptions metadataOptions,
    String canonical) {

  LaunchSpec {
    instanceTags = Map.copyOf(instanceTags);
  }
}
