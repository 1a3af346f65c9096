package io.launchworker.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * A launch EC2 allowed lately, to ask again with {@code DryRun=true} whether the account may launch at all: the last
 * RunInstances call this process made that launched, else the newest worker-tagged instance the hourly count saw
 * (another replica's, or an earlier process's), rebuilt from what EC2 says it was launched with. A DryRun of it that
 * EC2 allows proves the account works, so a request refused with {@code UnauthorizedOperation} is refused for itself
 * (an IAM condition on its type, image or key); one EC2 denies proves the account is at fault. Thread-safe.
 */
public final class KnownGoodLaunch {
  /** Distinct instance types remembered: enough to find one other than a refused request's. */
  private static final int TYPES_KEPT = 8;

  private final Supplier<Optional<Ec2Port.LaunchedWith>> newestCounted;
  // Guarded by this: the last launch of each instance type, least recently launched first.
  private final java.util.LinkedHashMap<String, RunInstancesRequest> ownByType =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, RunInstancesRequest> eldest) {
          return size() > TYPES_KEPT;
        }
      };

  public KnownGoodLaunch(Supplier<Optional<Ec2Port.LaunchedWith>> newestCounted) {
    this.newestCounted = newestCounted;
  }

  /** A call that launched. Its ClientToken is kept: an endpoint ignoring DryRun answers it with that launch. */
  synchronized void launched(RunInstancesRequest call) {
    ownByType.put(String.valueOf(call.instanceTypeAsString()), call);
  }

  /** The DryRun to ask, if any launch is known: this process's latest, else the hourly count's newest. */
  Optional<RunInstancesRequest> dryRun() {
    synchronized (this) {
      if (!ownByType.isEmpty()) {
        RunInstancesRequest latest = null;
        for (RunInstancesRequest r : ownByType.values()) {
          latest = r;
        }
        return Optional.of(latest.toBuilder().dryRun(true).build());
      }
    }
    return newestCounted.get().map(KnownGoodLaunch::rebuild);
  }

  /**
   * A DryRun of a known launch that differs from {@code refused} in instance type and image if one does, else in
   * either: a denial of the very type or image the request asks for says nothing about the account. Empty when every
   * known launch is the refused request's shape.
   */
  Optional<RunInstancesRequest> dryRunOtherThan(RunInstancesRequest refused) {
    List<RunInstancesRequest> known = new ArrayList<>();
    synchronized (this) {
      known.addAll(ownByType.values());
    }
    newestCounted.get().map(KnownGoodLaunch::rebuild).ifPresent(known::add);
    Optional<RunInstancesRequest> fullyOther = known.stream().filter(k -> differsInType(k, refused)
        && differsInImage(k, refused)).reduce((a, b) -> b);
    if (fullyOther.isPresent()) {
      return fullyOther.map(k -> k.toBuilder().dryRun(true).build());
    }
    return known.stream().filter(k -> differsInType(k, refused) || differsInImage(k, refused)).reduce((a, b) -> b)
        .map(k -> k.toBuilder().dryRun(true).build());
  }

  /** Whether launches of more than one instance type are known (a denial of one then cannot stall every probe). */
  synchronized boolean knowsSeveralTypes() {
    return ownByType.size() > 1;
  }

  private static boolean differsInType(RunInstancesRequest a, RunInstancesRequest b) {
    return !java.util.Objects.equals(a.instanceTypeAsString(), b.instanceTypeAsString());
  }

  private static boolean differsInImage(RunInstancesRequest a, RunInstancesRequest b) {
    return !java.util.Objects.equals(a.imageId(), b.imageId());
  }

  /** The same launch as far as IAM conditions see it: image, type, subnet, groups, key, profile, IMDSv2, tags. */
  static RunInstancesRequest rebuild(Ec2Port.LaunchedWith with) {
    List<Tag> tags = new ArrayList<>();
    with.workerTags().forEach((k, v) -> tags.add(Tag.builder().key(k).value(v).build()));
    RunInstancesRequest.Builder b = RunInstancesRequest.builder().dryRun(true).imageId(with.imageId())
        .instanceType(with.instanceType()).minCount(1).maxCount(1)
        .metadataOptions(InstanceMetadataOptionsRequest.builder().httpTokens(HttpTokensState.REQUIRED).build())
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
            TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
    with.subnetId().ifPresent(b::subnetId);
    if (!with.securityGroupIds().isEmpty()) {
      b.securityGroupIds(with.securityGroupIds());
    }
    with.keyName().ifPresent(b::keyName);
    with.instanceProfileArn().ifPresent(arn -> b.iamInstanceProfile(
        IamInstanceProfileSpecification.builder().arn(arn).build()));
    return b.build();
  }
}
