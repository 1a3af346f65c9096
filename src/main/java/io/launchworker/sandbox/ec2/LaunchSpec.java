package io.launchworker.sandbox.ec2;

import io.launchworker.sandbox.ec2.EmulatedInstance.RootVolume;

/**
 * A validated RunInstances request: what to launch and the request's canonical form for token checks. Every
 * instance of a launch keeps it, so what was asked is answered alongside what the instance is now. Immutable;
 * {@code subnetId}, {@code keyName}, {@code clientToken} and {@code rootVolume} may be null.
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
    ResourceTags tags,
    MetadataOptions metadataOptions,
    MarketOptions market,
    RootVolume rootVolume,
    String canonical) {}
