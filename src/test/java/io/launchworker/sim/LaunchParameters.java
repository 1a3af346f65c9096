package io.launchworker.sim;

import io.launchworker.launch.Ec2Port;
import io.launchworker.request.LaunchTags;
import io.launchworker.request.Market;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * What one RunInstances request says about the instances it launches, as EC2 reads it: the capacity pool (Spot when
 * {@code InstanceMarketOptions} says so, else on demand), the instance's tags (from the TagSpecification for
 * {@code instance}), the zone of the subnet (a fixed function of its ID), and what a DryRun of the same launch needs
 * ({@link Ec2Port.LaunchedWith}, when the request names its image and type). Immutable.
 */
final class LaunchParameters {
  private final RunInstancesRequest request;
  private final CapacityModel.Pool pool;
  private final Map<String, String> tags;
  private final Optional<Ec2Port.LaunchedWith> launchedWith;

  LaunchParameters(RunInstancesRequest request) {
    this.request = request;
    Market market = request.instanceMarketOptions() != null
        && request.instanceMarketOptions().marketType() == MarketType.SPOT ? Market.SPOT : Market.ON_DEMAND;
    this.pool = new CapacityModel.Pool(market, request.instanceTypeAsString(), request.subnetId());
    this.tags = instanceTags(request);
    Map<String, String> workerTags = new LinkedHashMap<>(tags);
    workerTags.keySet().removeIf(k -> !k.startsWith(LaunchTags.RESERVED_PREFIX));
    this.launchedWith = request.imageId() == null || pool.instanceType() == null ? Optional.empty()
        : Optional.of(new Ec2Port.LaunchedWith(request.imageId(), pool.instanceType(),
            Optional.ofNullable(request.subnetId()), request.securityGroupIds(), Optional.ofNullable(request.keyName()),
            Optional.ofNullable(request.iamInstanceProfile()).map(p -> p.arn()), workerTags));
  }

  CapacityModel.Pool pool() {
    return pool;
  }

  SimInstance instance(String instanceId, String reservationId, Instant launchTime, Instant visibleFrom) {
    return new SimInstance(instanceId, reservationId, Optional.ofNullable(request.clientToken()),
        Optional.ofNullable(request.imageId()), Optional.ofNullable(pool.instanceType()),
        Optional.ofNullable(request.subnetId()), zoneOf(request.subnetId()), pool.market(), launchTime, visibleFrom,
        tags, launchedWith);
  }

  /** The tags of the instance's TagSpecification (of the first, when none names the instance), in order. */
  private static Map<String, String> instanceTags(RunInstancesRequest request) {
    Map<String, String> tags = new LinkedHashMap<>();
    List<TagSpecification> specs = request.tagSpecifications();
    specs.stream().filter(s -> s.resourceType() == ResourceType.INSTANCE).findFirst()
        .or(() -> specs.stream().findFirst())
        .ifPresent(s -> s.tags().forEach(t -> tags.put(t.key(), t.value())));
    return tags;
  }

  /** A subnet lives in one zone; which one is a fixed function of its ID. */
  private static String zoneOf(String subnetId) {
    return SimEc2.REGION + (subnetId == null ? "a" : "abc".charAt(Math.floorMod(subnetId.hashCode(), 3)));
  }
}
