package io.launchworker.request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.SpotMarketOptions;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Builds the {@code RunInstancesRequest} for one shape of a request: a pure function of (request, defaults, shape,
 * tokens, message ID), so every attempt of one shape sends equal parameters and EC2's ClientToken idempotency
 * holds. Nothing
 * is looked up or resolved (a launch template's version is sent as given).
 *
 * <p>Fields the request leaves out come from {@link LaunchDefaults}; the request always wins. Every launch sends
 * {@code MetadataOptions} from {@link LaunchDefaults#imds()} (IMDSv2 required unless configured otherwise). The
 * instance tags are, in this order: the default tags sorted by key (a request tag with the same key replaces the
 * value in place), the request's other tags in body order, the enforced tags sorted by key
 * ({@link LaunchDefaults#enforcedTags}, which nothing replaces), then {@link LaunchTags#TOKEN},
 * {@link LaunchTags#MESSAGE_ID} and {@link LaunchTags#REQUEST_HASH}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RunInstancesMapper {
  private final LaunchDefaults defaults;

  public RunInstancesMapper(LaunchDefaults defaults) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
  }

  /**
   * Which shape one call launches, under which ClientToken, and the device its root volume goes on: for an imageId
   * request the image's root device, looked up (a request naming another is refused before it gets here).
   */
  public record Target(LaunchShape shape, String clientToken, Optional<String> rootDevice) {
    public Target {
      Objects.requireNonNull(shape, "shape");
      Objects.requireNonNull(clientToken, "clientToken");
      Objects.requireNonNull(rootDevice, "rootDevice");
    }
  }

  /** The request's shapes in the order they are tried, with these defaults ({@link LaunchShape#walk}). */
  public List<LaunchShape> shapes(LaunchRequest request) {
    return LaunchShape.walk(request, defaults);
  }

  /** The request's first shape under its own token; a root volume must name its device. */
  public RunInstancesRequest map(LaunchRequest request, String token, String messageId) {
    LaunchShape first = LaunchShape.walk(request, defaults).get(0);
    return map(request, new Target(first, token, Optional.empty()), token, messageId, RequestHash.of(request));
  }

  /**
   * One RunInstances call for one shape of a request: ClientToken {@code target.clientToken()}, and the request's
   * {@code token} in {@link LaunchTags#TOKEN} on the instance, its volumes and its network interfaces, whatever
   * the shape, so one look-up by tag finds a launch of any shape.
   *
   * @param requestHash the request's hash, already computed by the caller
   */
  public RunInstancesRequest map(LaunchRequest request, Target target, String token, String messageId,
      String requestHash) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(requestHash, "requestHash");
    LaunchShape shape = target.shape();
    RunInstancesRequest.Builder ec2 = RunInstancesRequest.builder()
        .clientToken(target.clientToken())
        .minCount(request.minCount())
        .maxCount(request.maxCount());
    request.imageId().ifPresent(ec2::imageId);
    request.launchTemplate().ifPresent(t -> ec2.launchTemplate(LaunchTemplateSpecification.builder()
        .launchTemplateId(t.id().orElse(null))
        .launchTemplateName(t.name().orElse(null))
        .version(t.version())
        .build()));
    // The same effective values PolicyCheck checked: a launch template keeps its own type, subnet and groups.
    shape.instanceType().ifPresent(ec2::instanceType);
    shape.subnetId().ifPresent(ec2::subnetId);
    if (shape.market() == Market.SPOT) {
      ec2.instanceMarketOptions(spot(request.spotMaxPrice()));
    }
    request.rootVolume().ifPresent(volume -> ec2.blockDeviceMappings(rootVolume(volume, target.rootDevice())));
    List<String> groups = defaults.securityGroupIdsFor(request);
    if (!groups.isEmpty()) {
      ec2.securityGroupIds(groups);
    }
    request.keyName().ifPresent(ec2::keyName);
    request.iamInstanceProfile().ifPresent(p -> ec2.iamInstanceProfile(IamInstanceProfileSpecification.builder()
        .arn(p.arn().orElse(null))
        .name(p.name().orElse(null))
        .build()));
    request.userData().ifPresent(ec2::userData);
    ec2.metadataOptions(metadataOptions(defaults.imds()));
    List<Tag> tags = tags(request, token, messageId, requestHash);
    return ec2.tagSpecifications(TAGGED.stream()
            .map(type -> TagSpecification.builder().resourceType(type).tags(tags).build())
            .toList())
        .build();
  }

  /**
   * What RunInstances creates and tags: the instance, its EBS volumes and its network interfaces carry the same
   * tags, so cost reports and clean-up by tag see all three.
   */
  private static final List<ResourceType> TAGGED =
      List.of(ResourceType.INSTANCE, ResourceType.VOLUME, ResourceType.NETWORK_INTERFACE);

  /** A one-time Spot request, terminated on interruption, up to the request's price (else the on-demand price). */
  private static InstanceMarketOptionsRequest spot(Optional<String> maxPrice) {
    return InstanceMarketOptionsRequest.builder()
        .marketType(MarketType.SPOT)
        .spotOptions(SpotMarketOptions.builder()
            .maxPrice(maxPrice.orElse(null))
            .spotInstanceType(SpotInstanceType.ONE_TIME)
            .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)
            .build())
        .build();
  }

  private static BlockDeviceMapping rootVolume(RootVolume volume, Optional<String> resolvedDevice) {
    // The image's own spelling of its root device when it was looked up: the request's may lack the /dev/ prefix.
    String device = resolvedDevice.or(volume::deviceName).orElseThrow(() -> new IllegalArgumentException(
        "rootVolume without deviceName: the image's root device name must be looked up first"));
    return BlockDeviceMapping.builder()
        .deviceName(device)
        .ebs(EbsBlockDevice.builder()
            .volumeSize(volume.sizeGiB().isPresent() ? volume.sizeGiB().getAsInt() : null)
            .volumeType(volume.type())
            .encrypted(volume.encrypted())
            .deleteOnTermination(true)
            .build())
        .build();
  }

  /** Sent with every launch, templates included: a request's parameters override its template's. */
  private static InstanceMetadataOptionsRequest metadataOptions(LaunchDefaults.Imds imds) {
    return InstanceMetadataOptionsRequest.builder()
        .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
        .httpTokens(imds.v1Allowed() ? HttpTokensState.OPTIONAL : HttpTokensState.REQUIRED)
        .httpPutResponseHopLimit(imds.hopLimit())
        .build();
  }

  private List<Tag> tags(LaunchRequest request, String token, String messageId, String requestHash) {
    Map<String, String> tags = new LinkedHashMap<>(new TreeMap<>(defaults.tags()));
    tags.putAll(request.tags());
    // Enforced tags replace a default or (past a policy that refused it) a request tag of the same key.
    new TreeMap<>(defaults.enforcedTags()).forEach((key, value) -> putLast(tags, key, value));
    // The worker's own tags go last and cannot be overridden, even by a misconfigured default.
    putLast(tags, LaunchTags.TOKEN, token);
    putLast(tags, LaunchTags.MESSAGE_ID, messageId);
    putLast(tags, LaunchTags.REQUEST_HASH, requestHash);
    List<Tag> result = new ArrayList<>(tags.size());
    tags.forEach((key, value) -> result.add(Tag.builder().key(key).value(value).build()));
    return result;
  }

  private static void putLast(Map<String, String> tags, String key, String value) {
    tags.remove(key);
    tags.put(key, value);
  }
}
