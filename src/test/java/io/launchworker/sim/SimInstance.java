package io.launchworker.sim;

import io.launchworker.launch.Ec2Port;
import io.launchworker.message.Placement;
import io.launchworker.request.LaunchTags;
import io.launchworker.request.Market;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One instance {@link SimEc2} launched: what RunInstances was asked (ClientToken, image, type, subnet, market, tags),
 * when it launched, and from when DescribeInstances shows it. Invariants count launches by its tags. Immutable.
 */
public record SimInstance(String instanceId, String reservationId, Optional<String> clientToken,
    Optional<String> imageId, Optional<String> instanceType, Optional<String> subnetId, String availabilityZone,
    Market market, Instant launchTime, Instant visibleFrom, Map<String, String> tags,
    Optional<Ec2Port.LaunchedWith> launchedWith) {

  public SimInstance {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(market, "market");
    Objects.requireNonNull(launchTime, "launchTime");
    Objects.requireNonNull(visibleFrom, "visibleFrom");
    // Kept in the order sent: Map.copyOf's order changes from one JVM to the next, and a replayed trace must not.
    tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
  }

  /** The {@code launch-worker:token} tag: the request's token, whatever the shape's ClientToken. */
  public Optional<String> token() {
    return Optional.ofNullable(tags.get(LaunchTags.TOKEN));
  }

  /** The {@code launch-worker:message-id} tag: the SQS message whose attempt launched it. */
  public Optional<String> messageId() {
    return Optional.ofNullable(tags.get(LaunchTags.MESSAGE_ID));
  }

  /** The {@code launch-worker:request-hash} tag. */
  public Optional<String> requestHash() {
    return Optional.ofNullable(tags.get(LaunchTags.REQUEST_HASH));
  }

  /** Whether DescribeInstances shows the instance at {@code now}. */
  public boolean visibleAt(Instant now) {
    return !now.isBefore(visibleFrom);
  }

  /** Where it landed, as EC2 reports it. */
  public Placement placement() {
    return new Placement(market, instanceType, subnetId, Optional.of(availabilityZone));
  }
}
