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
  private final Supplier<Optional<Ec2Port.LaunchedWith>> newestCounted;
  private volatile RunInstancesRequest own;

  public KnownGoodLaunch(Supplier<Optional<Ec2Port.LaunchedWith>> newestCounted) {
    this.newestCounted = newestCounted;
  }

  /** A call that launched. Its ClientToken is kept: an endpoint ignoring DryRun answers it with that launch. */
  void launched(RunInstancesRequest call) {
    own = call;
  }

  /** The DryRun to ask, if any launch is known. */
  Optional<RunInstancesRequest> dryRun() {
    RunInstancesRequest mine = own;
    if (mine != null) {
      return Optional.of(mine.toBuilder().dryRun(true).build());
    }
    return newestCounted.get().map(KnownGoodLaunch::rebuild);
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
