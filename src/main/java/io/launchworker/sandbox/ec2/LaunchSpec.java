package io.launchworker.sandbox.ec2;

import java.util.Map;

/**
 * A validated RunInstances request: what to launch and the request's canonical form for token checks. Every
 * instance of a launch keeps it, so what was asked is answered alongside what the instance is now. Immutable.
 */
record LaunchSpec(
    String imageId,
    String instanceType,
    int minCount,
    int maxCount,
    String subnetId,
    String availabilityZone,
    String keyName,
    String clientToken,
    Map<String, String> instanceTags,
    MetadataOptions metadataOptions,
    MarketOptions market,
    String canonical) {

  LaunchSpec {
    instanceTags = Map.copyOf(instanceTags);
  }
}
